/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a frame so 0x00 can
 * delimit frames. A receiver that joins mid-stream or sees noise resynchronises at the next 0x00.
 */
export function cobsEncode(src: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(src.length + Math.ceil(src.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  // a frame ending exactly after a full 254-byte block needs no final code byte (as in the COBS paper)
  let endsAfterFullBlock = false;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    endsAfterFullBlock = false;
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      endsAfterFullBlock = true;
    }
  }
  if (endsAfterFullBlock) return out.subarray(0, o - 1);
  out[codeAt] = code;
  return out.subarray(0, o);
}

import { crc16 } from './crc.js';

/**
 * Decode and compute CRC-16/CCITT-FALSE over all decoded bytes except the last two (the frame's CRC field)
 * in the same pass: the parser's hot path.
 */
export function cobsDecodeWithCrc(
  src: Uint8Array,
  start: number,
  end: number,
): { bytes: Buffer; crcBeforeLast2: number } | null {
  // Fast path: the decoded frame is src[start+1, end) with every later code byte turned into 0, so one native
  // copy plus one store per block does it. A 0xFF code (a 254-byte run with no zero) has no zero after it
  // and needs the general decoder.
  const out = Buffer.allocUnsafe(Math.max(0, end - start - 1));
  out.set(src.subarray(start + 1, end));
  let i = start;
  for (;;) {
    const code = src[i]!;
    if (code === 0 || i + code > end) return null;
    if (code === 0xff) return withCrc(cobsDecode(src, start, end));
    i += code;
    if (i >= end) break;
    out[i - start - 1] = 0;
  }
  return withCrc(out);
}

function withCrc(bytes: Buffer | null): { bytes: Buffer; crcBeforeLast2: number } | null {
  if (bytes === null) return null;
  return { bytes, crcBeforeLast2: bytes.length >= 2 ? crc16(bytes, 0, bytes.length - 2) : 0 };
}

/** Decodes src[start,end) (no delimiter). Returns null if the block structure is invalid. */
export function cobsDecode(src: Uint8Array, start = 0, end = src.length): Buffer | null {
  const out = Buffer.allocUnsafe(end - start);
  let i = start;
  let o = 0;
  while (i < end) {
    const code = src[i]!;
    const blockEnd = i + code;
    if (code === 0 || blockEnd > end) return null;
    for (let j = i + 1; j < blockEnd; j++) out[o++] = src[j]!;
    i = blockEnd;
    if (code !== 0xff && i < end) out[o++] = 0;
  }
  return out.subarray(0, o);
}
