import { closeSync, openSync, readSync } from 'node:fs';

/**
 * SQLite's WAL header (https://www.sqlite.org/fileformat2.html#walformat): 32 bytes, magic 0x377f0682 or
 * 0x377f0683 (the low bit says in which byte order the checksums are computed), format version 3007000, page
 * size, checkpoint sequence, two salts and a checksum of the first 24 bytes. SQLite silently ignores a WAL
 * whose header does not check out, which loses every commit in it and rolls seqs back: so we look first.
 */
const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;
const WAL_VERSION = 3007000;
const HEADER_BYTES = 32;

/** Null if the WAL header is valid; otherwise what is wrong with it. A missing or empty WAL is valid. */
export function walHeaderProblem(walPath: string): string | null {
  let fd: number;
  try {
    fd = openSync(walPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `cannot read ${walPath}: ${(err as Error).message}`;
  }
  const header = Buffer.alloc(HEADER_BYTES);
  let n: number;
  try {
    n = readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0) return null;
  if (n < HEADER_BYTES) return `WAL file of ${n} bytes is shorter than its ${HEADER_BYTES}-byte header`;
  const magic = header.readUInt32BE(0);
  if (magic !== WAL_MAGIC_LE && magic !== WAL_MAGIC_BE) return `bad WAL magic 0x${magic.toString(16)}`;
  const version = header.readUInt32BE(4);
  if (version !== WAL_VERSION) return `unknown WAL format version ${version}`;
  const [s0, s1] = walChecksum(header.subarray(0, 24), magic === WAL_MAGIC_BE);
  if (s0 !== header.readUInt32BE(24) || s1 !== header.readUInt32BE(28)) return 'WAL header checksum mismatch';
  return null;
}

/** The WAL checksum over 32-bit word pairs; words are read big-endian if `bigEndian`, else little-endian. */
export function walChecksum(data: Buffer, bigEndian: boolean): [number, number] {
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}
