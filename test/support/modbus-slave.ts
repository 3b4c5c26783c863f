import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeWords } from '../../gateway/src/core/devices/modbus/codec.js';
import type { ModbusModel } from '../../gateway/src/core/devices/modbus/model.js';
import { stopProcess } from './process.js';

/** Debian's python: a pyenv python earlier on PATH has no python3-pymodbus. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
// next to this file in the sources; from dist/test/support (benches run compiled) the source tree's copy
const SCRIPT = [
  resolve(import.meta.dirname, 'modbus_slave.py'),
  resolve(import.meta.dirname, '../../../test/support/modbus_slave.py'),
].find((p) => existsSync(p))!;

export type Table = 'hr' | 'ir' | 'co' | 'di';
export type SlaveTables = Partial<Record<Table, Record<number, number>>>;

const TABLE_OF_FN: Record<1 | 2 | 3 | 4, Table> = { 1: 'co', 2: 'di', 3: 'hr', 4: 'ir' };

/**
 * The registers a controller of `model` would hold for the given engineering values (what a poll must
 * decode back), plus its setpoints (at 0) so writes land somewhere. Bits packed in one register are OR-ed.
 */
export function registersFor(model: ModbusModel, values: Record<string, number | boolean>): SlaveTables {
  const out: SlaveTables = {};
  const put = (t: Table, a: number, v: number, or = false) => {
    const table = out[t] ?? {};
    out[t] = table;
    table[a] = or ? (table[a] ?? 0) | v : v;
  };
  for (const [field, p] of Object.entries(model.fields)) {
    if (!p) continue;
    const t = TABLE_OF_FN[p.fn];
    const v = values[field];
    if (typeof v === 'boolean' || p.bit !== undefined || p.equals) {
      const on = (typeof v === 'boolean' ? v : Boolean(v)) !== (p.invert ?? false);
      if (p.bit !== undefined) put(t, p.address, on ? 1 << p.bit : 0, true);
      else if (p.equals) put(t, p.address, on ? p.equals[0]! : 0);
      else put(t, p.address, on ? 1 : 0);
      continue;
    }
    const raw = p.type === 'float32' ? (v ?? 0) / (p.scale ?? 1) : Math.round((v ?? 0) / (p.scale ?? 1));
    for (const [i, w] of encodeWords(raw, p.type, p.wordOrder).entries()) put(t, p.address + i, w);
  }
  for (const s of Object.values(model.setpoints)) {
    const t: Table = s.table === 'coil' ? 'co' : 'hr';
    for (let i = 0; i < (s.type === 'float32' || s.type.endsWith('32') ? 2 : 1); i++)
      put(t, s.address + i, 0);
  }
  return out;
}

export interface ModbusSlaveProcess {
  readonly proc: ChildProcess;
  set(slave: number, table: Table, address: number, values: number[]): Promise<void>;
  get(slave: number, table: Table, address: number, count?: number): Promise<number[]>;
  mute(slave: number): Promise<void>;
  unmute(slave: number): Promise<void>;
  fail(slave: number, on: boolean): Promise<void>;
  drop(slave: number, table: Table, address: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts pymodbus slaves (TCP on `tcpPort`, or RTU on a serial/PTY path) serving `slaves`. */
export async function startModbusSlave(
  dir: string,
  slaves: Record<number, SlaveTables>,
  link: { tcpPort: number } | { rtuPath: string; baud?: number },
): Promise<ModbusSlaveProcess> {
  if (!existsSync(DEBIAN_PYTHON))
    throw new Error(
      `${DEBIAN_PYTHON} missing: sudo apt-get install -y python3-pymodbus python3-serial-asyncio`,
    );
  const spec = join(dir, `modbus-spec-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(spec, JSON.stringify({ slaves }));
  const args = [SCRIPT, '--spec', spec];
  if ('tcpPort' in link) args.push('--tcp', String(link.tcpPort));
  else args.push('--rtu', link.rtuPath, '--baud', String(link.baud ?? 19_200));
  const proc = spawn(DEBIAN_PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const waiting: Array<(msg: Record<string, unknown>) => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    waiting.shift()?.(msg);
  });
  const next = (what: string) =>
    new Promise<Record<string, unknown>>((resolveMsg, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`modbus slave: no ${what} in 10 s: ${stderr}`)),
        10_000,
      );
      waiting.push((m) => {
        clearTimeout(timer);
        resolveMsg(m);
      });
      proc.once('exit', (code) => reject(new Error(`modbus slave exited (${code}): ${stderr}`)));
    });
  await next('ready line');
  const send = async (cmd: Record<string, unknown>) => {
    const answer = next(`answer to ${String(cmd.op)}`);
    proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return answer;
  };
  return {
    proc,
    set: async (slave, table, address, values) =>
      void (await send({ op: 'set', slave, table, address, values })),
    get: async (slave, table, address, count = 1) => {
      const r = await send({ op: 'get', slave, table, address, count });
      return r.get as number[];
    },
    mute: async (slave) => void (await send({ op: 'mute', slave })),
    unmute: async (slave) => void (await send({ op: 'unmute', slave })),
    fail: async (slave, on) => void (await send({ op: 'fail', slave, on })),
    drop: async (slave, table, address) => void (await send({ op: 'drop', slave, table, address })),
    output: () => stderr,
    stop: () => stopProcess(proc),
  };
}
