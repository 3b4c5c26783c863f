import {
  isBitFunction,
  type ReadFunction,
  type RegisterPoint,
  registerCount,
  type ValueType,
  type WordOrder,
} from './model.js';

/** Raw words (or bits, as 0/1) → a number, per type and word order. Pure; used by reads and tests alike. */
export function decodeWords(
  words: readonly number[],
  type: ValueType,
  order: WordOrder = 'high_first',
): number {
  if (type === 'bool') return words[0] ? 1 : 0;
  if (type === 'u16') return words[0]! & 0xffff;
  if (type === 's16') return ((words[0]! & 0xffff) << 16) >> 16;
  const [a, b] = [words[0]! & 0xffff, words[1]! & 0xffff];
  const [hi, lo] = order === 'high_first' ? [a, b] : [b, a];
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(hi, 0);
  buf.writeUInt16BE(lo, 2);
  if (type === 'u32') return buf.readUInt32BE(0);
  if (type === 's32') return buf.readInt32BE(0);
  return buf.readFloatBE(0);
}

/** A number → raw words, the inverse of decodeWords (integers must already be rounded and in range). */
export function encodeWords(value: number, type: ValueType, order: WordOrder = 'high_first'): number[] {
  if (type === 'bool') return [value ? 1 : 0];
  if (type === 'u16' || type === 's16') return [value & 0xffff];
  const buf = Buffer.alloc(4);
  if (type === 'u32') buf.writeUInt32BE(value >>> 0, 0);
  else if (type === 's32') buf.writeInt32BE(value | 0, 0);
  else buf.writeFloatBE(value, 0);
  const hi = buf.readUInt16BE(0);
  const lo = buf.readUInt16BE(2);
  return order === 'high_first' ? [hi, lo] : [lo, hi];
}

const LIMITS: Record<Exclude<ValueType, 'float32' | 'bool'>, [number, number]> = {
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  s32: [-0x80000000, 0x7fffffff],
};

/** Engineering value → raw register value (scaled and rounded); null if it does not fit the type. */
export function toRaw(value: number, type: ValueType, scale = 1): number | null {
  if (type === 'float32') return value / scale;
  if (type === 'bool') return value ? 1 : 0;
  const raw = Math.round(value / scale);
  const [lo, hi] = LIMITS[type];
  return raw < lo || raw > hi ? null : raw;
}

/** One read request: a function and a contiguous range. */
export interface ReadBlock {
  fn: ReadFunction;
  start: number;
  count: number;
}

/** Protocol limits per request (Modbus Application Protocol v1.1b §6.1–6.4): 2000 bits, 125 registers. */
const MAX_BITS = 2000;
const MAX_REGISTERS = 125;
/** Reading a few unused registers is cheaper than a second request (~3.5 char gap + header + CRC). */
const MAX_GAP = 8;

/**
 * Cover every point with as few requests as possible: points of one function are merged when the hole
 * between them is small, up to the protocol's (or the model's) request length.
 */
export function planReads(points: readonly RegisterPoint[], maxLength?: number): ReadBlock[] {
  const byFn = new Map<ReadFunction, Array<[number, number]>>();
  for (const p of points) {
    const span: [number, number] = [
      p.address,
      p.address + (isBitFunction(p.fn) ? 1 : registerCount(p.type)) - 1,
    ];
    byFn.set(p.fn, [...(byFn.get(p.fn) ?? []), span]);
  }
  const blocks: ReadBlock[] = [];
  for (const [fn, spans] of [...byFn].sort((a, b) => a[0] - b[0])) {
    const limit = Math.min(
      maxLength ?? Number.POSITIVE_INFINITY,
      isBitFunction(fn) ? MAX_BITS : MAX_REGISTERS,
    );
    spans.sort((a, b) => a[0] - b[0]);
    let [start, end] = spans[0]!;
    for (const [s, e] of spans.slice(1)) {
      const newEnd = Math.max(end, e);
      if (s - end - 1 <= MAX_GAP && newEnd - start + 1 <= limit) end = newEnd;
      else {
        blocks.push({ fn, start, count: end - start + 1 });
        [start, end] = [s, e];
      }
    }
    blocks.push({ fn, start, count: end - start + 1 });
  }
  return blocks;
}

/** The raw words (or bits) of a point from the blocks that were read (values indexed like `blocks`). */
export function pointWords(
  point: RegisterPoint,
  blocks: readonly ReadBlock[],
  values: readonly (readonly number[])[],
): number[] {
  const i = blocks.findIndex(
    (b) => b.fn === point.fn && point.address >= b.start && point.address < b.start + b.count,
  );
  // Assert: the blocks are planned from these very points (planReads), so one always covers it.
  if (i < 0) throw new Error(`no read block covers fn ${point.fn} address ${point.address}`);
  const offset = point.address - blocks[i]!.start;
  return values[i]!.slice(offset, offset + registerCount(point.type));
}

/** The engineering value of a point: a flag for bits and states, raw × scale for numbers. */
export function readPoint(
  point: RegisterPoint,
  blocks: readonly ReadBlock[],
  values: readonly (readonly number[])[],
): number | boolean {
  const words = pointWords(point, blocks, values);
  if (isBitFunction(point.fn) || point.type === 'bool' || point.bit !== undefined || point.equals) {
    let on: boolean;
    if (point.equals)
      on = point.equals.includes(decodeWords(words, point.type === 'bool' ? 'u16' : point.type));
    else if (point.bit !== undefined) on = ((words[0]! >> point.bit) & 1) === 1;
    else on = words[0] !== 0;
    return point.invert ? !on : on;
  }
  return decodeWords(words, point.type, point.wordOrder) * (point.scale ?? 1);
}
