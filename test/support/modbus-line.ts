import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { createPtyPair, type PtyPair } from './pty.js';

/**
 * An RS-485 line between two PTY pairs: the master opens `master`, the slave process opens `slave`, and this
 * relay carries bytes between them. It can pace them at the line's character rate (PTYs ignore the baud
 * rate, a real line does not) and corrupt the CRC of the next N answers, like noise on the bus.
 */
export interface ModbusLine {
  readonly master: string;
  readonly slave: string;
  /** Flip a bit in the CRC of the next `n` frames the slave sends. */
  corruptNextAnswers(n: number): void;
  readonly corrupted: number;
  /** Bytes carried each way. */
  readonly bytes: { toSlave: number; toMaster: number };
  close(): Promise<void>;
}

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
    p.open((err) => (err ? reject(err) : resolve(p)));
  });
}

export async function createModbusLine(
  dir: string,
  opts: { baud?: number; bitsPerChar?: number } = {},
): Promise<ModbusLine> {
  const a: PtyPair = await createPtyPair(join(dir, 'master'), join(dir, 'relay-a'));
  const b: PtyPair = await createPtyPair(join(dir, 'relay-b'), join(dir, 'slave'));
  const toMasterSide = await open(a.b);
  const toSlaveSide = await open(b.a);
  const charMs = opts.baud ? ((opts.bitsPerChar ?? 10) * 1_000) / opts.baud : 0;
  let corruptLeft = 0;
  let corrupted = 0;
  const bytes = { toSlave: 0, toMaster: 0 };
  // one half-duplex line: a chunk is delivered only once every earlier byte has "left the wire"
  let lineFreeAt = 0;
  const carry = (chunk: Buffer, to: SerialPort) => {
    if (charMs === 0) return void to.write(chunk);
    const now = performance.now();
    lineFreeAt = Math.max(lineFreeAt, now) + chunk.length * charMs;
    setTimeout(() => to.write(chunk), Math.max(0, lineFreeAt - now));
  };
  // answers arrive in several chunks; the relay corrupts the last byte of a chunk after a quiet moment
  let pending: Buffer[] = [];
  let flush: NodeJS.Timeout | null = null;
  toSlaveSide.on('data', (chunk: Buffer) => {
    bytes.toMaster += chunk.length;
    if (corruptLeft === 0 && pending.length === 0) return carry(chunk, toMasterSide);
    pending.push(chunk);
    if (flush) clearTimeout(flush);
    flush = setTimeout(() => {
      const frame = Buffer.concat(pending);
      pending = [];
      if (corruptLeft > 0) {
        corruptLeft--;
        corrupted++;
        frame[frame.length - 1]! ^= 0x01;
      }
      carry(frame, toMasterSide);
    }, 5);
  });
  toMasterSide.on('data', (chunk: Buffer) => {
    bytes.toSlave += chunk.length;
    carry(chunk, toSlaveSide);
  });
  return {
    master: a.a,
    slave: b.b,
    corruptNextAnswers(n) {
      corruptLeft += n;
    },
    get corrupted() {
      return corrupted;
    },
    bytes,
    async close() {
      if (flush) clearTimeout(flush);
      await Promise.all(
        [toMasterSide, toSlaveSide].map(
          (p) => new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r())),
        ),
      );
      await a.close();
      await b.close();
    },
  };
}
