/**
 * npm run bench:soak [-- --seconds 600 --warmup 300 --devices 200 --lanes 20]  (env: BENCH_SECONDS, BENCH_WARMUP…)
 *
 * The whole gateway in this process (buildGateway: broker, pipeline with every processor, SQLite outbox, uplink
 * to a real Mosquitto cloud), a store's worth of mixed devices in a forked child (shelves, door counters,
 * cameras, and lanes of scanner + scale + POS; a quarter of the lanes have a POS that never speaks, so their
 * sessions never close). Every ~1 s each device publishes. The gateway's RSS and heap (after a forced GC) are
 * sampled every 10 s; after the warm-up (default 5 min: the bounded resend memories keep 5 min and are full by
 * then) the least-squares slope of each is printed against the target
 * (0.2 MiB/min, issue 13 item 5), next to the growth of the same figures during the warm-up.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildGateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { BrokerFeature } from '../../gateway/src/features/broker/feature.js';
import { createLogger } from '../../shared/src/logger.js';
import { startMosquitto } from '../support/mosquitto.js';
import { type FleetCounts, type FleetDevice, fleetPlan } from './soak-fleet.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const SECONDS = option('seconds', 600);
const WARMUP = Math.min(option('warmup', 300), SECONDS * 0.5);
const DEVICES = option('devices', 200);
const LANES = option('lanes', 20);
const SAMPLE_MS = 10_000;
const TARGET_MIB_PER_MIN = 0.2;
const MIB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface MemorySample {
  min: number;
  rss: number;
  anon: number;
  file: number;
  heap: number;
  external: number;
}

/**
 * RSS split by kind: file-backed pages (shared libraries, SQLite's mmapped WAL index) are the kernel's to
 * reclaim, anonymous ones are what the process allocated — a leak shows in the latter.
 */
function memorySample(min: number): MemorySample {
  const m = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return {
    min,
    rss: m.rss / MIB,
    anon: kib('RssAnon') / 1024,
    file: (kib('RssFile') + kib('RssShmem')) / 1024,
    heap: m.heapUsed / MIB,
    external: m.external / MIB,
  };
}

/** Least-squares slope of y over x (x in minutes), MiB per minute. */
function slope(points: { min: number; mib: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.min, 0) / n;
  const my = points.reduce((s, p) => s + p.mib, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.min - mx) * (p.mib - my);
    den += (p.min - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sg-soak-'));
  const cloud = await startMosquitto({ persistence: false });
  disposeCloud = () => cloud.dispose();
  const plan = fleetPlan(DEVICES, LANES);
  const posLess = Array.from({ length: Math.ceil(LANES / 4) }, (_, i) => `lane-${LANES - i}`);
  const config = parseConfig(
    {
      store: { id: 'soak-store' },
      data_dir: dir,
      log: { level: 'error' },
      http: { host: '127.0.0.1', port: 0 },
      // The whole fleet connects from 127.0.0.1: the per-address caps are for a store LAN, not for this bench.
      broker: {
        host: '127.0.0.1',
        port: 0,
        limits: { max_connections_per_address: 1_000 },
        auth_throttle: { max_failures: 10_000 },
      },
      cloud: { url: cloud.url },
      checkout: {
        lanes: Array.from({ length: LANES }, (_, i) => ({
          id: `lane-${i + 1}`,
          scanner: `scanner-${i + 1}`,
          scale: `scale-${i + 1}`,
          pos: `pos-${i + 1}`,
        })),
      },
    },
    { env: {}, baseDir: dir },
  );
  const gateway = await buildGateway(config, { logger: createLogger({ level: 'error' }) });
  const devices: FleetDevice[] = plan.map((d) => ({
    ...d,
    secret: gateway.context.registry.add({
      id: d.id,
      kind: d.kind,
      ...(d.lane ? { location: { lane: d.lane } } : {}),
    }).secret,
  }));
  await gateway.start();
  const broker = gateway.features.find((f): f is BrokerFeature => f.name === 'broker')!;
  const url = `mqtt://127.0.0.1:${broker.port()}`;
  const perKind = new Map<string, number>();
  for (const d of plan) perKind.set(d.kind, (perKind.get(d.kind) ?? 0) + 1);
  const kinds = [...perKind].map(([k, n]) => `${n} ${k}`).join(', ');
  console.log(
    `soak: ${DEVICES} devices (${kinds}), ${LANES} lanes (${posLess.length} without a POS), ${SECONDS} s, warm-up ${WARMUP} s`,
  );

  const child = fork(fileURLToPath(new URL('./soak-fleet.js', import.meta.url)), ['--fleet'], {
    stdio: 'inherit',
  });
  let counts: FleetCounts = { published: 0, failed: 0, connected: 0 };
  const done = new Promise<FleetCounts>((resolve, reject) => {
    child.on('message', (m: { progress?: FleetCounts; done?: FleetCounts; error?: string }) => {
      if (m.progress) counts = m.progress;
      if (m.done) resolve(m.done);
      if (m.error) reject(new Error(m.error));
    });
  });
  child.send({ url, devices, posLess, seconds: SECONDS });

  const t0 = Date.now();
  const samples: MemorySample[] = [];
  const sample = () => {
    gc();
    const min = (Date.now() - t0) / 60_000;
    const last = memorySample(min);
    samples.push(last);
    console.log(
      `  t=${(min * 60).toFixed(0).padStart(4)} s  rss ${last.rss.toFixed(1)} MiB (anon ${last.anon.toFixed(1)}, file ${last.file.toFixed(1)})  heap ${last.heap.toFixed(1)}  external ${last.external.toFixed(1)} MiB  published ${counts.published}  failed ${counts.failed}`,
    );
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  // --snapshots: a heap snapshot when the warm-up ends and one at the end, to diff what is retained.
  const snapshots = process.argv.includes('--snapshots');
  if (snapshots)
    setTimeout(
      () => console.log(`  snapshot ${writeHeapSnapshot(join(tmpdir(), 'sg-soak-warm.heapsnapshot'))}`),
      WARMUP * 1000,
    );
  const final = await done;
  clearInterval(timer);
  sample();
  if (snapshots) console.log(`  snapshot ${writeHeapSnapshot(join(tmpdir(), 'sg-soak-end.heapsnapshot'))}`);

  const warm = samples.filter((s) => s.min * 60 < WARMUP);
  const after = samples.filter((s) => s.min * 60 >= WARMUP);
  const rssSlope = slope(after.map((s) => ({ min: s.min, mib: s.rss })));
  const anonSlope = slope(after.map((s) => ({ min: s.min, mib: s.anon })));
  const fileSlope = slope(after.map((s) => ({ min: s.min, mib: s.file })));
  const externalSlope = slope(after.map((s) => ({ min: s.min, mib: s.external })));
  const heapSlope = slope(after.map((s) => ({ min: s.min, mib: s.heap })));
  const warmRss = slope(warm.map((s) => ({ min: s.min, mib: s.rss })));
  const warmHeap = slope(warm.map((s) => ({ min: s.min, mib: s.heap })));
  const heapGrowth = after.at(-1)!.heap - after[0]!.heap;
  const outbox = gateway.context.events as unknown as {
    totals?(): { must_deliver: { count: number }; telemetry: { count: number } };
  };
  const backlog = outbox.totals?.();
  console.log('');
  console.log(
    `published ${final.published} messages (${(final.published / SECONDS).toFixed(0)}/s), ${final.failed} failed, ${final.connected} devices connected`,
  );
  if (backlog)
    console.log(
      `outbox backlog at the end: ${backlog.must_deliver.count} must-deliver, ${backlog.telemetry.count} telemetry`,
    );
  const memory = await gateway.context.metrics
    .getSingleMetric('storegate_device_resend_memory_entries')
    ?.get();
  if (memory)
    console.log(
      `resend memory at the end: ${memory.values.map((v) => `${v.labels.key} ${v.value}`).join(', ')} entries (bounded: 64 packet ids per client, 128 msg_ids per device, 5 min)`,
    );
  console.log(
    `after warm-up (${after.length} samples, ${((after.at(-1)!.min - after[0]!.min) * 60).toFixed(0)} s):`,
  );
  console.log(
    `  RSS slope   ${rssSlope.toFixed(3)} MiB/min  (target ≤ ${TARGET_MIB_PER_MIN}; warm-up ${warmRss.toFixed(3)})  ${rssSlope <= TARGET_MIB_PER_MIN ? 'OK' : 'OVER'}`,
  );
  console.log(
    `    of which  anonymous ${anonSlope.toFixed(3)}, file-backed ${fileSlope.toFixed(3)} MiB/min (/proc/self/status RssAnon, RssFile + RssShmem); external buffers ${externalSlope.toFixed(3)} MiB/min`,
  );
  console.log(
    `  heap slope  ${heapSlope.toFixed(3)} MiB/min  (target ≤ ${TARGET_MIB_PER_MIN}; warm-up ${warmHeap.toFixed(3)})  ${heapSlope <= TARGET_MIB_PER_MIN ? 'OK' : 'OVER'}`,
  );
  console.log(`  heap growth ${heapGrowth.toFixed(2)} MiB (after GC, first to last sample)`);

  await gateway.stop();
  await cloud.dispose();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/** Set once the cloud broker runs: a failing run must not leave it behind. */
let disposeCloud: () => Promise<void> = async () => {};

main().catch(async (err) => {
  await disposeCloud().catch(() => undefined);
  console.error(err);
  process.exit(1);
});
