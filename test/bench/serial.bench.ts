import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Random } from '../../firmware-bridge/src/emulators/random.js';
import { Frame } from '../../firmware-bridge/src/protocol/frame.js';
import { decodeMessage, encodeMessage } from '../../firmware-bridge/src/protocol/messages.js';
import { FrameParser } from '../../firmware-bridge/src/protocol/parser.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { SerialConnectorFeature } from '../../gateway/src/features/serial/feature.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { MemoryEventSink, Pipeline } from '../../gateway/src/ports/pipeline.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { systemClock } from '../../shared/src/clock.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';

/**
 * `npm run bench:serial`:
 * 1. decode rate on one core: COBS + CRC-16 framing (FrameParser) and full message decode of 12×12 shelf
 *    batches, against a baseline in the same run (Buffer.indexOf delimiter scan + copy of the same bytes);
 * 2. gateway-side CPU with N emulated shelf controllers (60 Hz × 12 channels) over socat PTYs, emulators in
 *    a child process, connector + pipeline ingest in this one (process.cpuUsage over the window).
 */
const CONTROLLERS = Number(process.env.SERIAL_BENCH_CONTROLLERS ?? 32);
const WINDOW_S = Number(process.env.SERIAL_BENCH_SECONDS ?? 20);

function shelfStream(frames: number): Buffer {
  const rand = new Random(42);
  const parts: Buffer[] = [];
  for (let i = 0; i < frames; i++) {
    const values = Int32Array.from({ length: 144 }, () => Math.round(rand.between(-50_000, 1_800_000)));
    const calibration = Array.from({ length: 12 }, () => ({
      offset: Math.round(rand.between(-20_000, 20_000)),
      countsPerGram: rand.between(400, 440),
    }));
    const { type, payload } = encodeMessage({
      type: 'shelfBatch',
      uptimeMs: i * 200,
      hz: 60,
      channels: 12,
      samples: 12,
      encoding: 'rawCounts',
      calibration,
      values,
    });
    parts.push(new Frame(type, i & 0xff, payload).encode());
  }
  return Buffer.concat(parts);
}

/**
 * Rate per wall second and per CPU second of this process: the machine is shared, and CPU time is what
 * "on one core" means when other processes take turns on it.
 */
function timeIt(label: string, bytes: number, frames: number, run: () => void, minMs = 1_500) {
  run(); // warm-up
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let reps = 0;
  while (Number(process.hrtime.bigint() - t0) / 1e6 < minMs) {
    run();
    reps++;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const mbWall = (bytes * reps) / wall / 1e6;
  const mbCpu = (bytes * reps) / cpu / 1e6;
  const fpsCpu = (frames * reps) / cpu;
  console.log(
    `${label.padEnd(44)} ${mbCpu.toFixed(1).padStart(8)} MB/CPU-s ${Math.round(fpsCpu).toString().padStart(9)} frames/CPU-s  (wall ${mbWall.toFixed(1)} MB/s)`,
  );
  return mbCpu;
}

function decodeBench(): void {
  const FRAMES = 2_000;
  const stream = shelfStream(FRAMES);
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 4096) chunks.push(stream.subarray(i, i + 4096));
  console.log(
    `decode: ${FRAMES} shelf batch frames (12 ch × 12 samples, ${Math.round(stream.length / FRAMES)} B each), 4 KiB chunks`,
  );
  const baseline = timeIt('baseline: indexOf(0) scan + Buffer copy', stream.length, FRAMES, () => {
    let n = 0;
    for (const c of chunks) {
      let at = c.indexOf(0);
      while (at !== -1) {
        n++;
        at = c.indexOf(0, at + 1);
      }
      Buffer.from(c);
    }
    if (n < 0) throw new Error('unreachable');
  });
  const framing = timeIt('FrameParser (COBS + CRC-16 + Frame)', stream.length, FRAMES, () => {
    const p = new FrameParser();
    let n = 0;
    p.on('data', () => n++);
    for (const c of chunks) p.write(c);
    if (n !== FRAMES) throw new Error(`decoded ${n} of ${FRAMES}`);
  });
  const full = timeIt('FrameParser + message decode', stream.length, FRAMES, () => {
    const p = new FrameParser();
    let n = 0;
    p.on('data', (f: Frame) => {
      if (decodeMessage(f.type, f.payload).type === 'shelfBatch') n++;
    });
    for (const c of chunks) p.write(c);
    if (n !== FRAMES) throw new Error(`decoded ${n} of ${FRAMES}`);
  });
  console.log(
    `framing / baseline: ${(framing / baseline).toFixed(3)}; full decode / baseline: ${(full / baseline).toFixed(3)}`,
  );
  console.log(
    `target decode ≥ 50 MB/s per CPU-second (wall rates vary with machine load): framing ${framing >= 50 ? 'MET' : 'MISSED'}, full ${full >= 50 ? 'MET' : 'MISSED'}`,
  );
}

async function cpuBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-serial-bench-'));
  const pairs: PtyPair[] = [];
  let child: ChildProcess | null = null;
  const registry = openSqliteDeviceRegistry(join(dir, 'registry.db'), { clock: systemClock() });
  try {
    for (let i = 0; i < CONTROLLERS; i++)
      pairs.push(await createPtyPair(join(dir, `gw-${i}`), join(dir, `dev-${i}`)));
    child = spawn(
      process.execPath,
      [new URL('./serial-emulators.js', import.meta.url).pathname, ...pairs.map((p) => p.b)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const config = parseConfig(
      {
        data_dir: dir,
        serial: {
          devices: pairs.map((p, i) => ({ id: `shelf-${i}`, driver: 'storegate', kind: 'shelf', path: p.a })),
        },
      },
      { env: {}, baseDir: dir },
    );
    let readings = 0;
    const pipeline = new Pipeline(new MemoryEventSink()).with({
      name: 'count',
      handles: ['shelf.weight'],
      process: () => {
        readings++;
        return [];
      },
    });
    const ctx: GatewayContext = {
      config,
      clock: systemClock(),
      logger: pino({ level: 'warn' }),
      metrics: new Registry(),
      registry,
      deviceStats: new DeviceStats(),
      pipeline,
      events: new MemoryEventSink(),
      live: new EventEmitter<{ events: [readonly StoreEvent[]] }>(),
      http: Fastify() as unknown as FastifyInstance,
      audit: new MemoryAuditLog(),
    };
    const connector = new SerialConnectorFeature(ctx);
    await connector.start();
    const online = () =>
      [...connector.devices.supervisors.values()].filter((s) => s.state === 'online').length;
    const deadline = Date.now() + 20_000;
    while (online() < CONTROLLERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_000));
    const r0 = readings;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const cpu = process.cpuUsage(c0);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const n = readings - r0;
    const samples = n * 12;
    const pct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
    let rejected = 0;
    for (let i = 0; i < CONTROLLERS; i++) {
      for (const v of Object.values(ctx.deviceStats.get(`shelf-${i}`)?.rejected ?? {})) rejected += v;
    }
    console.log(`\ncpu: ${online()}/${CONTROLLERS} controllers online, ${wall.toFixed(1)} s window`);
    console.log(
      `  readings ${n} (${(n / wall).toFixed(0)}/s), samples ${(samples / wall).toFixed(0)}/s (expected ${CONTROLLERS * 12 * 60}/s), rejected ${rejected}`,
    );
    console.log(
      `  gateway process CPU ${pct.toFixed(1)}% of one core (user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s)`,
    );
    console.log(`  target < 25% of one core: ${pct < 25 ? 'MET' : 'MISSED'}`);
    await connector.stop();
  } finally {
    if (child && child.exitCode === null) {
      await new Promise<void>((r) => {
        child!.once('exit', () => r());
        child!.kill('SIGTERM');
      });
    }
    for (const p of pairs) await p.close();
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

decodeBench();
if (CONTROLLERS > 0) await cpuBench();
