import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { fakePortLister } from '../../firmware-bridge/src/transport/port-lister.js';
import { modbusSection } from '../../gateway/src/config/sections/modbus.js';
import { interFrameGapMs, ModbusBus } from '../../gateway/src/connectors/modbus/bus.js';
import { ModbusConnector } from '../../gateway/src/connectors/modbus/modbus-connector.js';
import { DevicePoller } from '../../gateway/src/connectors/modbus/poller.js';
import { RtuTransport } from '../../gateway/src/connectors/modbus/rtu-transport.js';
import { MODBUS_MODELS } from '../../gateway/src/core/devices/modbus/catalog.js';
import type { ColdModel, ModbusModel } from '../../gateway/src/core/devices/modbus/model.js';
import { readPlan } from '../../gateway/src/core/devices/modbus/sample.js';
import { systemClock } from '../../shared/src/clock.js';
import { createModbusLine } from '../support/modbus-line.js';
import { registersFor, startModbusSlave } from '../support/modbus-slave.js';
import { createPtyPair } from '../support/pty.js';

/**
 * `npm run bench:modbus`:
 * 1. registers/s polled on ONE RS-485 bus at 19,200 baud 8N1, against the line's theoretical limit for the
 *    same requests (request 8 + answer 5 + 2N characters + two 3.5-character gaps per transaction). PTYs
 *    ignore baud rates, so a relay between two PTY pairs paces every byte at 10 bits / 19,200 s.
 *    Slaves are pymodbus (Debian python3-pymodbus), polled as fast as the bus allows.
 * 2. gateway CPU for 200 units: 4 RTU buses (PTY pairs, not paced) × 50 Carel ir33 controllers each polled
 *    every 2 s (what a real 19,200-baud bus carries for 50 such controllers), process.cpuUsage over the
 *    window, against the same process idle for the same window.
 */
const WINDOW_S = Number(process.env.MODBUS_BENCH_SECONDS ?? 10);
const BAUD = 19_200;
const BITS_PER_CHAR = 10;
const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bench-only model: every field 9 registers apart, so one poll is one read of 55 registers. */
const bulkFields = [
  'tempC',
  'humidityPct',
  'doorOpen',
  'defrost',
  'compressorOn',
  'alarm',
  'probeFault',
] as const;
const bulk: ColdModel = {
  id: 'bench-bulk',
  vendor: 'bench',
  family: 'bulk',
  summary: '55 holding registers per poll',
  manual: 'none (bench)',
  reading: 'cold.sample',
  fields: Object.fromEntries(
    bulkFields.map((f, i) => [
      f,
      { fn: 3, address: i * 9, type: f === 'tempC' ? 's16' : 'u16', evidence: 'assumed', ref: 'bench' },
    ]),
  ),
  setpoints: {},
};

function lineLimit(model: ModbusModel): { regsPerPoll: number; limitPerS: number } {
  const blocks = readPlan(model);
  const regsPerPoll = blocks.reduce((n, b) => n + b.count, 0);
  const chars = blocks.reduce(
    (n, b) => n + 8 + 5 + (b.fn <= 2 ? Math.ceil(b.count / 8) : 2 * b.count) + 7,
    0,
  );
  return { regsPerPoll, limitPerS: (regsPerPoll * BAUD) / BITS_PER_CHAR / chars };
}

async function busThroughput(dir: string, model: ModbusModel, slaves: number) {
  const line = await createModbusLine(dir, { baud: BAUD, bitsPerChar: BITS_PER_CHAR });
  const tables = registersFor(model, { tempC: 3.5, humidityPct: 80 });
  const slave = await startModbusSlave(
    dir,
    Object.fromEntries(Array.from({ length: slaves }, (_, i) => [i + 1, tables])),
    { rtuPath: line.slave, baud: BAUD },
  );
  // the bus and pollers the connector builds, assembled here so the bench-only model can be used
  const clock = systemClock();
  const transport = new RtuTransport(
    {
      id: 'rs485',
      binding: { path: line.master },
      line: { baud: BAUD, parity: 'none', dataBits: 8, stopBits: 1 },
      backoffInitialMs: 100,
      backoffMaxMs: 1_000,
    },
    { clock, logger: log, lister: fakePortLister([]) },
  );
  const bus = new ModbusBus(
    'rs485',
    transport,
    { timeoutMs: 1_000, retries: 0, gapMs: interFrameGapMs(BAUD, BITS_PER_CHAR) },
    clock,
  );
  let samples = 0;
  let failures = 0;
  const pollers = Array.from(
    { length: slaves },
    (_, i) =>
      new DevicePoller(
        { id: `u${i + 1}`, slave: i + 1, model, intervalMs: 50, unit: undefined },
        bus,
        clock,
        { offlineAfterFailures: 3, backoffMaxMs: 1_000, firstDelayMs: 0 },
        {
          sample: () => samples++,
          failure: () => failures++,
          online: () => {},
        },
      ),
  );
  const connector = {
    start() {
      transport.start();
      for (const p of pollers) p.start();
    },
    async stop() {
      for (const p of pollers) p.stop();
      bus.stop();
      await transport.stop();
    },
  };
  connector.start();
  await sleep(2_000); // warm-up: link open, every slave answered once
  const [s0, f0, t0] = [samples, failures, performance.now()];
  await sleep(WINDOW_S * 1_000);
  const seconds = (performance.now() - t0) / 1_000;
  const [ds, df] = [samples - s0, failures - f0];
  await connector.stop();
  await slave.stop();
  await line.close();
  const { regsPerPoll, limitPerS } = lineLimit(model);
  const regsPerS = (ds * regsPerPoll) / seconds;
  return { regsPerPoll, polls: ds / seconds, regsPerS, limitPerS, ratio: regsPerS / limitPerS, failures: df };
}

async function cpuFor200(dir: string) {
  const carel = MODBUS_MODELS.get('carel-ir33')!;
  const tables = registersFor(carel, { tempC: 4, compressorOn: true });
  const buses = await Promise.all(
    [0, 1, 2, 3].map(async (b) => {
      const pair = await createPtyPair(join(dir, `cpu-gw-${b}`), join(dir, `cpu-dev-${b}`));
      const slave = await startModbusSlave(
        dir,
        Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i + 1, tables])),
        { rtuPath: pair.b },
      );
      return { pair, slave, id: `bus${b}` };
    }),
  );
  const section = modbusSection.parse({
    buses: buses.map((b) => ({ id: b.id, rtu: { path: b.pair.a, baud: BAUD }, timeout_ms: 1_000 })),
    devices: buses.flatMap((b) =>
      Array.from({ length: 50 }, (_, i) => ({
        id: `${b.id}-u${i + 1}`,
        bus: b.id,
        slave: i + 1,
        model: 'carel-ir33',
        interval_s: 2,
      })),
    ),
  });
  const idle0 = process.cpuUsage();
  const idleT = performance.now();
  await sleep(WINDOW_S * 1_000);
  const idle = process.cpuUsage(idle0);
  const idleMs = (idle.user + idle.system) / 1_000 / ((performance.now() - idleT) / 1_000);

  const connector = new ModbusConnector(section, {
    clock: systemClock(),
    logger: log,
    lister: fakePortLister([]),
  });
  let samples = 0;
  let failures = 0;
  connector.on('sample', () => samples++);
  connector.on('failure', () => failures++);
  connector.start();
  await sleep(3_000);
  const [s0, f0] = [samples, failures];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(WINDOW_S * 1_000);
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1_000;
  const ds = samples - s0;
  await connector.stop();
  for (const b of buses) {
    await b.slave.stop();
    await b.pair.close();
  }
  const cpuMsPerS = (cpu.user + cpu.system) / 1_000 / seconds;
  return {
    samplesPerS: ds / seconds,
    expectedPerS: 200 / 2,
    failures: failures - f0,
    cpuPct: cpuMsPerS / 10,
    idlePct: idleMs / 10,
    usPerSample: ((cpuMsPerS - idleMs) * 1_000) / (ds / seconds),
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-modbus-'));
  try {
    console.log(
      `bench:modbus — one RS-485 bus at ${BAUD} baud 8N1 (paced PTY relay), pymodbus slaves, ${WINDOW_S} s windows`,
    );
    for (const [name, model, slaves] of [
      ['Dixell XR (2 reads: 1 + 2 registers)', MODBUS_MODELS.get('dixell-xr')!, 10],
      ['bulk (1 read of 55 registers)', bulk, 4],
    ] as const) {
      const r = await busThroughput(dir, model, slaves);
      console.log(
        `  ${name}: ${r.polls.toFixed(1)} polls/s, ${r.regsPerS.toFixed(0)} registers/s; line limit ${r.limitPerS.toFixed(0)} registers/s → ratio ${r.ratio.toFixed(2)} (${r.failures} failed attempts)`,
      );
    }
    const c = await cpuFor200(dir);
    console.log(
      `200 units (4 RTU buses × 50 Carel ir33, every 2 s): ${c.samplesPerS.toFixed(1)} samples/s of ${c.expectedPerS} expected, ${c.failures} failed attempts; gateway CPU ${c.cpuPct.toFixed(2)} % of one core vs idle ${c.idlePct.toFixed(2)} % → ${c.usPerSample.toFixed(0)} µs CPU per sample`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
