/**
 * CRC-16/CCITT-FALSE (a.k.a. CRC-16/IBM-3740): poly 0x1021, init 0xFFFF, no reflection, xorout 0x0000.
 * Check value: crc16("123456789") = 0x29B1. Table-driven because the parser runs it on every byte received.
 */
export const CRC16_TABLE = new Uint16Array(256);
const TABLE = CRC16_TABLE;
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

export function crc16(data: Uint8Array, start = 0, end = data.length, init = 0xffff): number {
  let crc = init;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ data[i]!) & 0xff]!;
  return crc;
}
