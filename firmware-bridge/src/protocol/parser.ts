import { Transform, type TransformCallback } from 'node:stream';
import { FRAME_DELIMITER, MAX_ENCODED_BYTES } from './constants.js';
import { Frame, type FrameError } from './frame.js';

export interface ParserStats {
  frames: number;
  bytes: number;
  /** Rejections by reason; `overflow` is bytes discarded because no delimiter came within the max size. */
  rejected: Record<FrameError | 'overflow', number>;
}

/**
 * Byte stream → Frame objects. The buffer never holds more than one maximum encoded frame: a run longer than
 * that without a delimiter is noise and is discarded up to the next 0x00 (so memory is bounded whatever
 * arrives). A bad CRC costs only the frame it hit; the next delimiter starts a fresh frame.
 */
export class FrameParser extends Transform {
  readonly stats: ParserStats = {
    frames: 0,
    bytes: 0,
    rejected: { cobs: 0, short: 0, crc: 0, version: 0, oversize: 0, overflow: 0 },
  };
  private pending: Buffer = Buffer.alloc(0);
  /** True while skipping an over-long run until the next delimiter. */
  private discarding = false;

  constructor(private readonly onReject?: (reason: FrameError | 'overflow', bytes: number) => void) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.stats.bytes += chunk.length;
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const at = data.indexOf(FRAME_DELIMITER, from);
      if (at === -1) break;
      if (this.discarding) this.discarding = false;
      else if (at > from) this.handle(data, from, at);
      // empty runs (two delimiters in a row) are idle fill, allowed by the spec
      from = at + 1;
    }
    const rest = data.length - from;
    if (this.discarding) {
      this.count('overflow', rest);
      data = Buffer.alloc(0);
      from = 0;
    } else if (rest > MAX_ENCODED_BYTES) {
      this.count('overflow', rest);
      this.discarding = true;
      data = Buffer.alloc(0);
      from = 0;
    }
    // copy the tail so a retained slice never pins a large chunk
    this.pending = from >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(from));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.pending = Buffer.alloc(0);
    done();
  }

  private handle(data: Buffer, start: number, end: number): void {
    if (end - start > MAX_ENCODED_BYTES) {
      this.count('oversize', end - start);
      return;
    }
    const frame = Frame.decode(data, start, end);
    if (typeof frame === 'string') {
      this.count(frame, end - start);
      return;
    }
    this.stats.frames++;
    this.push(frame);
  }

  private count(reason: FrameError | 'overflow', bytes: number): void {
    this.stats.rejected[reason]++;
    this.onReject?.(reason, bytes);
  }
}
