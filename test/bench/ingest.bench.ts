/**
 * npm run bench:ingest [-- --devices 200 --seconds 8 --window 8 --idle 2000]  (env: BENCH_DEVICES, BENCH_SECONDS…)
 *
 * N devices publish QoS 1 door counts (a must-deliver kind: the PUBACK waits for the pipeline) as fast as
 * acknowledgements allow, first against a bare aedes 1.2.0 (no auth, no validation), then through the full
 * gateway path (scrypt auth, ACL, rate bucket, zod validation, normalization, registry touch, device stats,
 * pipeline + raw-forward processor into a counting sink). Clients run in a forked child process (raw MQTT over
 * mqtt-packet, one socket per device) so their CPU is not billed to the broker's event loop; on a 2-core machine
 * they still share the CPU. Latency is publish → PUBACK as seen by the device, which for must-deliver readings
 * is publish → ingested. Last, 2,000 authenticated devices connect and stay idle, and the broker's RSS is read.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Aedes } from 'aedes';
import Fastify, { type FastifyInstance } from 'fastify';
import mqttPacket from 'mqtt-packet';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { createBrokerFeature } from '../../gateway/src/features/broker/feature.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import type { EventSink } from '../../gateway/src/ports/pipeline.js';
import { Pipeline } from '../../gateway/src/ports/pipeline.js';
import { RawForwardProcessor } from '../../gateway/src/processors/forward/raw-forward.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { systemClock } from '../../shared/src/clock.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

export interface LoadResult {
  acked: number;
  seconds: number;
  p50: number;
  p99: number;
  connected: number;
}

interface Credentials {
  id: string;
  secret?: string;
}

const IS_CLIENT = process.argv.includes('--client');
// The same file plays the device fleet in a forked child (`--client`), so client CPU is not in the broker's loop.
const child = IS_CLIENT ? null : fork(fileURLToPath(import.meta.url), ['--client'], { stdio: 'inherit' });

function inChild(msg: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    child!.once('message', (m: { error?: string } & LoadResult) =>
      m.error ? reject(new Error(m.error)) : resolve(m),
    );
    child!.send(msg);
  });
}

function rssSampler() {
  const cpu0 = process.cpuUsage();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      const cpu = process.cpuUsage(cpu0);
      return { peak: Math.max(peak, process.memoryUsage.rss()), cpuMs: (cpu.user + cpu.system) / 1000 };
    },
  };
}

/** A full mark-compact, so the idle figure is not whatever garbage the last young-generation cycles left. */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

class CountingSink implements EventSink {
  count = 0;
  async append(events: readonly StoreEvent[]): Promise<void> {
    this.count += events.length;
  }
}

async function bareRun(devices: number, seconds: number, window: number) {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const creds: Credentials[] = Array.from({ length: devices }, (_, i) => ({ id: `bare-${i}` }));
  const rss = rssSampler();
  const result = await inChild({ cmd: 'load', port, creds, seconds, window });
  const { peak, cpuMs } = rss.stop();
  await new Promise<void>((r) => aedes.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  return { ...result, peakRss: peak, cpuMs };
}

async function gatewayBroker(dir: string) {
  const config = parseConfig(
    {
      data_dir: dir,
      // the per-device bucket still runs on every publish; its default (200/s) would cut a benchmark device off
      broker: {
        host: '127.0.0.1',
        port: 0,
        limits: { max_publishes_per_second: 100_000, publish_burst: 100_000 },
      },
    },
    { env: {} },
  );
  const clock = systemClock();
  const sink = new CountingSink();
  // Lower scrypt cost than production (N=4096) only to register and connect 2,200 devices quickly; the hash cost
  // is paid once per CONNECT and is outside every measured window.
  const registry = openSqliteDeviceRegistry(join(dir, 'registry.db'), {
    clock,
    scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 },
  });
  const ctx: GatewayContext = {
    config,
    clock,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    registry,
    deviceStats: new DeviceStats(),
    pipeline: new Pipeline(sink).with(new RawForwardProcessor()),
    events: sink,
    live: new EventEmitter<{ events: [readonly StoreEvent[]] }>(),
    http: Fastify() as unknown as FastifyInstance,
    audit: new MemoryAuditLog(),
  };
  const broker = createBrokerFeature(ctx);
  await broker.start();
  const add = (prefix: string, n: number): Credentials[] =>
    Array.from({ length: n }, (_, i) => {
      const id = `${prefix}-${i}`;
      return { id, secret: registry.add({ id, kind: 'door' }).secret };
    });
  return { ctx, broker, sink, registry, add };
}

async function main() {
  const devices = option('devices', 200);
  const seconds = option('seconds', 8);
  const window = option('window', 8);
  const idle = option('idle', 2000);
  const started = Date.now();
  console.log(
    `ingest bench: ${devices} devices, ${seconds}s per run, ${window} QoS 1 publishes in flight per device`,
  );

  // idle first, in a fresh process: RSS later would include heap grown during the load runs
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const gw = await gatewayBroker(dir);
  const idleCreds = gw.add('idle', idle);
  const creds = gw.add('door', devices);
  const rssBeforeIdle = process.memoryUsage.rss();
  const idleResult = await inChild({ cmd: 'idle', port: gw.broker.port(), creds: idleCreds });
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = process.memoryUsage.rss();
  const idleHeap = process.memoryUsage().heapUsed;
  fullGc();
  const idleRssAfterGc = process.memoryUsage.rss();
  await inChild({ cmd: 'close' });
  await new Promise((r) => setTimeout(r, 500));

  const bare = await bareRun(devices, seconds, window);
  const sampler = rssSampler();
  const full = await inChild({ cmd: 'load', port: gw.broker.port(), creds, seconds, window });
  const { peak: fullPeak, cpuMs: fullCpuMs } = sampler.stop();
  const ingested = gw.sink.count;
  const rate = (r: LoadResult) => r.acked / r.seconds;
  const row = (name: string, r: LoadResult, peak: number, cpuMs: number) => [
    name,
    rate(r).toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    mb(peak),
    String(r.connected),
    `${((cpuMs / 1000 / r.seconds) * 100).toFixed(0)}%`,
    ((cpuMs * 1000) / r.acked).toFixed(1),
  ];
  const rows = [
    ['', 'readings/s', 'p50 ms', 'p99 ms', 'peak RSS', 'devices', 'broker CPU', 'CPU µs/rdg'],
    row('bare aedes', bare, bare.peakRss, bare.cpuMs),
    row('gateway', full, fullPeak, fullCpuMs),
  ];
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(11) : c.padStart(11))).join(''));
  console.log(
    `ratio gateway / bare aedes: ${(rate(full) / rate(bare)).toFixed(2)}x  (target >= 0.8x, >= 20000/s)`,
  );
  console.log(`pipeline events written: ${ingested} (acked by devices: ${full.acked})`);
  console.log(
    `broker RSS with ${idleResult.connected} connected idle devices: ${mb(idleRss)}, ${mb(idleRssAfterGc)} after a full GC (target <= 150 MB; ${mb(rssBeforeIdle)} before they connected; JS heap in use ${mb(idleHeap)} before the GC)`,
  );
  console.log(
    `total ${(Date.now() - started) / 1000}s; clients ran in a separate process on the same 2 cores`,
  );
  await gw.broker.stop();
  gw.registry.close();
  await gw.ctx.http.close();
  rmSync(dir, { recursive: true, force: true });
  child!.disconnect();
}

(IS_CLIENT ? clientMain() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});

// ---- the device fleet (child process) ----

const sockets: Socket[] = [];

function connectDevice(
  port: number,
  c: Credentials,
  onPacket: (p: mqttPacket.Packet) => void,
): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let ready = false;
    parser.on('packet', (p) => {
      if (!ready && p.cmd === 'connack') {
        ready = true;
        resolve(p.returnCode === 0 ? socket : null);
      } else onPacket(p);
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => resolve(null));
    socket.on('close', () => resolve(null));
    socket.on('connect', () => {
      const auth = c.secret === undefined ? {} : { username: c.id, password: Buffer.from(c.secret) };
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          keepalive: 60,
          clientId: c.id,
          ...auth,
        }),
      );
    });
    sockets.push(socket);
  });
}

async function connectAll(port: number, creds: Credentials[]) {
  const out: Array<{ socket: Socket; cred: Credentials; handlers: Array<(p: mqttPacket.Packet) => void> }> =
    [];
  // bounded concurrency: scrypt verification runs on the libuv pool
  for (let i = 0; i < creds.length; i += 100) {
    const batch = creds.slice(i, i + 100).map(async (cred) => {
      const handlers: Array<(p: mqttPacket.Packet) => void> = [];
      const socket = await connectDevice(port, cred, (p) => {
        for (const h of handlers) h(p);
      });
      if (socket) out.push({ socket, cred, handlers });
    });
    await Promise.all(batch);
  }
  return out;
}

async function load(
  port: number,
  creds: Credentials[],
  seconds: number,
  window: number,
): Promise<LoadResult> {
  const devices = await connectAll(port, creds);
  const latencies = new Float64Array(4_000_000);
  let acked = 0;
  let running = true;
  const t0 = performance.now();
  for (const d of devices) {
    const sentAt = new Map<number, number>();
    let nextId = 1;
    let count = 0;
    const send = () => {
      const messageId = nextId;
      nextId = (nextId % 65535) + 1;
      count++;
      const payload = Buffer.from(`{"t":${Date.now()},"in":${count},"out":${count >> 1}}`);
      sentAt.set(messageId, performance.now());
      d.socket.write(
        mqttPacket.generate({
          cmd: 'publish',
          topic: `devices/${d.cred.id}/door`,
          payload,
          qos: 1,
          messageId,
          retain: false,
          dup: false,
        }),
      );
    };
    d.handlers.push((p) => {
      if (p.cmd !== 'puback' || p.messageId === undefined) return;
      const start = sentAt.get(p.messageId);
      if (start === undefined) return;
      sentAt.delete(p.messageId);
      if (acked < latencies.length) latencies[acked] = performance.now() - start;
      acked++;
      if (running) send();
    });
    for (let i = 0; i < window; i++) send();
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = (performance.now() - t0) / 1000;
  for (const d of devices) d.socket.destroy();
  const sorted = latencies.subarray(0, Math.min(acked, latencies.length)).sort();
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { acked, seconds: elapsed, p50: pct(0.5), p99: pct(0.99), connected: devices.length };
}

async function clientMain() {
  process.on(
    'message',
    async (msg: { cmd: string; port: number; creds: Credentials[]; seconds: number; window: number }) => {
      try {
        if (msg.cmd === 'load') process.send!(await load(msg.port, msg.creds, msg.seconds, msg.window));
        else if (msg.cmd === 'idle') {
          const devices = await connectAll(msg.port, msg.creds);
          process.send!({ acked: 0, seconds: 0, p50: 0, p99: 0, connected: devices.length });
        } else if (msg.cmd === 'close') {
          for (const s of sockets) s.destroy();
          process.send!({ acked: 0, seconds: 0, p50: 0, p99: 0, connected: 0 });
        }
      } catch (err) {
        process.send!({ error: String(err) });
      }
    },
  );
}
