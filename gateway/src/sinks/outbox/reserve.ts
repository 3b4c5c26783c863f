import { closeSync, fsyncSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs';

const CHUNK = 256 * 1024;

/**
 * A preallocated file of zeros beside the outbox. Nothing else can take that space, so when the filesystem
 * fills up (our own WAL, registry.db, logs, another program) the outbox releases it and still has room to
 * delete acknowledged rows and checkpoint, which is what frees space. It is refilled once space is back.
 * Filesystems that compress or deduplicate zeros (btrfs compression, ZFS) do not hold the space: see
 * docs/outbox.md.
 */
export class DiskReserve {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  /** Bytes currently held by the reserve file. */
  present(): number {
    try {
      return Math.min(this.bytes, statSync(this.path).size);
    } catch {
      return 0;
    }
  }

  /** Bytes the reserve should hold but does not (released, or never filled). */
  missing(): number {
    return this.bytes - this.present();
  }

  /** Give the space back to the filesystem; returns the bytes released. */
  release(): number {
    const held = this.present();
    if (held === 0) return 0;
    rmSync(this.path, { force: true });
    return held;
  }

  /**
   * Fill the reserve up to its size if `freeBytes` leaves `keepFree` after it. Writes zeros (not a sparse
   * file, which would reserve nothing) and fsyncs. Returns the bytes added; gives back what it wrote on ENOSPC.
   */
  refill(freeBytes: number, keepFree: number): number {
    const missing = this.missing();
    if (missing <= 0 || freeBytes - missing < keepFree) return 0;
    const start = this.present();
    const fd = openSync(this.path, 'a');
    let written = 0;
    try {
      const zeros = Buffer.alloc(Math.min(CHUNK, missing));
      while (written < missing) {
        const n = Math.min(zeros.length, missing - written);
        written += writeSync(fd, zeros, 0, n);
      }
      fsyncSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      // Something else took the space meanwhile: do not be the one that fills the disk.
      ftruncateSync(fd, start);
      written = 0;
    } finally {
      closeSync(fd);
    }
    return written;
  }
}
