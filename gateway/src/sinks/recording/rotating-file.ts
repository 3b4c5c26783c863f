import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, extname } from 'node:path';

export interface RotatingFileOptions {
  /** The current part; older parts are NAME.1.EXT (newest) … NAME.{files-1}.EXT (oldest). */
  path: string;
  /** Bytes per part: a part is closed before a write would take it past this. */
  partBytes: number;
  /** Parts kept, the current one included. */
  files: number;
}

export interface RotatingFileStats {
  /** Lines written to disk. */
  written: number;
  /** Lines given up after a write failed (disk full, file removed, permissions). */
  dropped: number;
  rotations: number;
}

/** Lines held while the disk refuses writes; beyond this the oldest held lines are given up. */
const MAX_PENDING_BYTES = 4 << 20;

/**
 * An append-only line file bounded on disk: `files` parts of at most `partBytes` each, rotated by rename so
 * every part holds whole lines in write order. Lines are buffered and written by `flush()` (the caller's
 * timer, and `close()`); a failed write keeps the lines for the next flush up to 4 MiB, then drops the oldest.
 */
export class RotatingLineFile {
  readonly stats: RotatingFileStats = { written: 0, dropped: 0, rotations: 0 };
  private fd: number | null = null;
  private size = 0;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(private readonly options: RotatingFileOptions) {}

  /** Part `i` (0 = current) of the recording. */
  static partPath(path: string, i: number): string {
    if (i === 0) return path;
    const ext = extname(path);
    return `${path.slice(0, path.length - ext.length)}.${i}${ext}`;
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    this.pending.push(line);
    this.pendingBytes += bytes;
    while (this.pendingBytes > MAX_PENDING_BYTES && this.pending.length > 1) {
      this.pendingBytes -= Buffer.byteLength(this.pending.shift()!) + 1;
      this.stats.dropped++;
    }
  }

  /** Write what is buffered; throws the file system's error (the lines stay buffered). */
  flush(): void {
    if (this.pending.length === 0) return;
    this.open();
    let chunk: string[] = [];
    let chunkBytes = 0;
    const writeChunk = () => {
      if (chunk.length === 0) return;
      const data = `${chunk.join('\n')}\n`;
      writeSync(this.fd!, data);
      this.size += chunkBytes;
      this.stats.written += chunk.length;
      this.pending.splice(0, chunk.length);
      this.pendingBytes -= chunkBytes;
      chunk = [];
      chunkBytes = 0;
    };
    for (const line of [...this.pending]) {
      const bytes = Buffer.byteLength(line) + 1;
      if (this.size + chunkBytes + bytes > this.options.partBytes && this.size + chunkBytes > 0) {
        writeChunk();
        this.rotate();
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    writeChunk();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    }
  }

  /** Give up what could not be written (the caller counts it; the disk stays refused). */
  discardPending(): number {
    const n = this.pending.length;
    this.stats.dropped += n;
    this.pending = [];
    this.pendingBytes = 0;
    return n;
  }

  /** Open (create) the current part now; writes open it anyway. Throws the file system's error. */
  open(): void {
    if (this.fd !== null) return;
    mkdirSync(dirname(this.options.path), { recursive: true });
    this.fd = openSync(this.options.path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const { path, files } = this.options;
    rmSync(RotatingLineFile.partPath(path, files - 1), { force: true });
    for (let i = files - 2; i >= 0; i--) {
      const from = RotatingLineFile.partPath(path, i);
      if (existsSync(from)) renameSync(from, RotatingLineFile.partPath(path, i + 1));
    }
    this.stats.rotations++;
    this.open();
  }
}
