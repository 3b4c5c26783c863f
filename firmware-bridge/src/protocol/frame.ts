import { cobsDecodeWithCrc, cobsEncode } from './cobs.js';
import { CRC_BYTES, HEADER_BYTES, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION } from './constants.js';
import { crc16 } from './crc.js';

export type FrameError = 'cobs' | 'short' | 'crc' | 'version' | 'oversize';

/** One decoded frame (treat as immutable: fields are readonly, the payload buffer belongs to the frame). */
export class Frame {
  constructor(
    readonly type: number,
    readonly seq: number,
    readonly payload: Buffer = Buffer.alloc(0),
    readonly version: number = PROTOCOL_VERSION,
  ) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
    }
  }

  /** Unstuffed bytes: version | type | seq | payload | crc16 (big-endian). */
  toRaw(): Buffer {
    const raw = Buffer.allocUnsafe(HEADER_BYTES + this.payload.length + CRC_BYTES);
    raw[0] = this.version;
    raw[1] = this.type;
    raw[2] = this.seq & 0xff;
    this.payload.copy(raw, HEADER_BYTES);
    raw.writeUInt16BE(crc16(raw, 0, raw.length - CRC_BYTES), raw.length - CRC_BYTES);
    return raw;
  }

  /** Wire bytes: COBS(raw) followed by the 0x00 delimiter. */
  encode(): Buffer {
    const stuffed = cobsEncode(this.toRaw());
    const wire = Buffer.allocUnsafe(stuffed.length + 1);
    stuffed.copy(wire);
    wire[stuffed.length] = 0;
    return wire;
  }

  /** Decode the bytes between two delimiters. */
  static decode(encoded: Uint8Array, start = 0, end = encoded.length): Frame | FrameError {
    // one pass: unstuff and run the CRC over everything but the last two bytes
    const raw = cobsDecodeWithCrc(encoded, start, end);
    if (raw === null) return 'cobs';
    const { bytes, crcBeforeLast2 } = raw;
    if (bytes.length < HEADER_BYTES + CRC_BYTES) return 'short';
    if (bytes.length > HEADER_BYTES + MAX_PAYLOAD_BYTES + CRC_BYTES) return 'oversize';
    const crcAt = bytes.length - CRC_BYTES;
    if (crcBeforeLast2 !== ((bytes[crcAt]! << 8) | bytes[crcAt + 1]!)) return 'crc';
    if (bytes[0] !== PROTOCOL_VERSION) return 'version';
    // the decode buffer is fresh and owned by nobody else, so the payload can be a view of it
    return new Frame(bytes[1]!, bytes[2]!, bytes.subarray(HEADER_BYTES, crcAt), bytes[0]!);
  }

  static fromRaw(raw: Buffer): Frame | FrameError {
    if (raw.length < HEADER_BYTES + CRC_BYTES) return 'short';
    if (raw.length > HEADER_BYTES + MAX_PAYLOAD_BYTES + CRC_BYTES) return 'oversize';
    const crcAt = raw.length - CRC_BYTES;
    if (crc16(raw, 0, crcAt) !== raw.readUInt16BE(crcAt)) return 'crc';
    if (raw[0] !== PROTOCOL_VERSION) return 'version';
    return new Frame(raw[1]!, raw[2]!, Buffer.from(raw.subarray(HEADER_BYTES, crcAt)), raw[0]!);
  }
}
