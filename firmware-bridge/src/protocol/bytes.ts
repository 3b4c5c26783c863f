/** Little-endian cursor helpers for payloads. Reads past the end throw PayloadError (a counted rejection). */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

export class ByteReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): number {
    const at = this.at;
    if (at + n > this.buf.length) throw new PayloadError(`payload truncated: need ${n} bytes at ${at}`);
    this.at += n;
    return at;
  }
  u8(): number {
    return this.buf.readUInt8(this.need(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.need(4));
  }
  f32(): number {
    return this.buf.readFloatLE(this.need(4));
  }
  /** `count` consecutive i32 values into a new Int32Array: one bounds check, no per-value call. */
  i32Array(count: number): Int32Array {
    const at = this.need(count * 4);
    const b = this.buf;
    const out = new Int32Array(count);
    for (let i = 0, p = at; i < count; i++, p += 4)
      out[i] = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    return out;
  }
  /** u8 length + UTF-8 bytes */
  str(): string {
    const n = this.u8();
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }
  rest(): Buffer {
    const at = this.need(this.buf.length - this.at);
    return Buffer.from(this.buf.subarray(at));
  }
  end(): void {
    if (this.at !== this.buf.length)
      throw new PayloadError(`${this.buf.length - this.at} unexpected trailing bytes`);
  }
}

export class ByteWriter {
  private buf: Buffer;
  private at = 0;
  constructor(size = 64) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Reserve n bytes; may replace this.buf, so callers take the offset before touching the buffer. */
  private room(n: number): number {
    if (this.at + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
      this.buf.copy(next, 0, 0, this.at);
      this.buf = next;
    }
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(v: number): this {
    const at = this.room(1);
    this.buf.writeUInt8(v, at);
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.buf.writeUInt16LE(v, at);
    return this;
  }
  i16(v: number): this {
    const at = this.room(2);
    this.buf.writeInt16LE(v, at);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }
  i32(v: number): this {
    const at = this.room(4);
    this.buf.writeInt32LE(v, at);
    return this;
  }
  f32(v: number): this {
    const at = this.room(4);
    this.buf.writeFloatLE(v, at);
    return this;
  }
  str(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > 255) throw new RangeError(`string longer than 255 bytes: ${s.slice(0, 20)}…`);
    this.u8(bytes.length);
    const at = this.room(bytes.length);
    bytes.copy(this.buf, at);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}
