/**
 * `npm run bench:footfall`: (1) dual-beam decoding accuracy on generated traffic with ground truth;
 * (2) InfluxDB 1.x write throughput through the gateway's batching writer vs raw `influx.writePoints` with
 * the same batches, against a real `influxd` on a free 127.0.0.1 port. Bounded to about two minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { footfallSection } from '../../gateway/src/config/sections/footfall.js';
import { FootfallProcessor } from '../../gateway/src/processors/footfall/footfall-processor.js';
import { PointDiskBuffer, type StoredPoint } from '../../gateway/src/sinks/influx/disk-buffer.js';
import { createInfluxClient } from '../../gateway/src/sinks/influx/influx-footfall-store.js';
import { InfluxPointWriter, toIPoint } from '../../gateway/src/sinks/influx/point-writer.js';
import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import type { Reading } from '../../shared/src/readings.js';
import { startInfluxd } from '../support/influxd.js';
import { beamEdges, scenarios, truth } from './footfall-traffic.js';
import { Prng } from './shelf-prng.js';

const PEOPLE = Number(process.env.SG_BENCH_PEOPLE ?? 2_000);
const POINTS = Number(process.env.SG_BENCH_POINTS ?? 200_000);
const BATCH = 5_000;
const ROUNDS = 3;
const DEADLINE = Date.now() + 110_000;

function accuracy(): boolean {
  console.log(
    `\n## Beam decoding accuracy (${PEOPLE} people per scenario, debounce 30 ms, beams 10 cm apart)\n`,
  );
  console.log('| scenario | true in/out | counted in/out | count error | target | ok |');
  console.log('|---|---|---|---|---|---|');
  let allOk = true;
  for (const s of scenarios(42, PEOPLE)) {
    const p = new FootfallProcessor({
      store: 'bench',
      timeZone: 'UTC',
      storeEmptyTime: '03:00',
      driftCorrection: 'exits',
      debounceMs: 30,
      blockedAlarmMs: 30_000,
      transactionEvents: [],
    });
    const t0 = Date.UTC(2026, 10, 20, 8);
    const counted = { in: 0, out: 0 };
    const count = (events: { type: string }[]) => {
      for (const e of events) {
        if (e.type === 'door.entry') counted.in++;
        else if (e.type === 'door.exit') counted.out++;
      }
    };
    for (const e of beamEdges(s, new Prng(7))) {
      const t = t0 + e.t;
      const r: Reading = {
        type: 'door.beam',
        beam: e.beam,
        blocked: e.blocked,
        deviceId: 'door-1',
        deviceTime: t,
        receivedAt: t,
        quality: 'good',
        source: 'gpio',
      };
      count(p.process(r));
    }
    count(p.tick(t0 + 10 ** 9));
    const want = truth(s);
    const error =
      (Math.abs(counted.in - want.in) + Math.abs(counted.out - want.out)) / Math.max(1, want.in + want.out);
    const ok = error <= s.target;
    allOk &&= ok;
    console.log(
      `| ${s.name} | ${want.in}/${want.out} | ${counted.in}/${counted.out} | ${(error * 100).toFixed(2)}% | ${Number.isFinite(s.target) ? `≤${s.target * 100}%` : '—'} | ${ok ? 'yes' : 'NO'} |`,
    );
  }
  return allOk;
}

function points(n: number, tag: string): StoredPoint[] {
  const t0 = Date.UTC(2026, 10, 1);
  const out: StoredPoint[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      measurement: 'footfall_door',
      tags: { store: `bench-${tag}`, door: `door-${i % 8}` },
      fields: { entries: i % 13, exits: i % 11 },
      t: t0 + Math.floor(i / 8) * 60_000,
    });
  }
  return out;
}

async function throughput(): Promise<number> {
  const influxd = await startInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-footfall-'));
  try {
    const cfg = footfallSection.parse({
      influx: { url: influxd.url, database: 'bench', batch_size: BATCH, precision: 'ms' },
    }).influx!;
    const influx = createInfluxClient(cfg);
    await influx.createDatabase('bench');
    const logger = createLogger({ level: 'warn' });
    const raw: number[] = [];
    const sink: number[] = [];
    for (let round = 0; round < ROUNDS && Date.now() < DEADLINE; round++) {
      // Fresh series each round and each path, so neither measures overwrites of the other's points.
      const rawPoints = points(POINTS, `raw-${round}`);
      let start = performance.now();
      for (let i = 0; i < rawPoints.length; i += BATCH) {
        await influx.writePoints(rawPoints.slice(i, i + BATCH).map(toIPoint), { precision: 'ms' });
      }
      raw.push(POINTS / ((performance.now() - start) / 1000));

      const sinkPoints = points(POINTS, `sink-${round}`);
      const buffer = new PointDiskBuffer(join(dir, `buffer-${round}.db`), 1_000_000);
      const writer = new InfluxPointWriter(
        influx,
        buffer,
        { batchSize: BATCH, flushIntervalMs: 1_000, precision: 'ms' },
        { clock: systemClock(), logger },
      );
      writer.start();
      start = performance.now();
      for (const p of sinkPoints) if (!writer.write(p)) await writer.whenWritable();
      await writer.flush();
      sink.push(POINTS / ((performance.now() - start) / 1000));
      if (writer.stats.written !== POINTS) throw new Error(`sink wrote ${writer.stats.written} of ${POINTS}`);
      if (writer.stats.spilled > 0)
        console.log(`  (round ${round}: ${writer.stats.spilled} points went through the disk buffer)`);
      await writer.stop();
      buffer.close();
    }
    const stored = await influxd.query(
      'bench',
      `SELECT count("entries") FROM "footfall_door" WHERE "store" =~ /^bench-sink/`,
    );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(sink) / median(raw);
    console.log(
      `\n## InfluxDB write throughput (${POINTS} points per round, batches of ${BATCH}, precision ms, ${raw.length} rounds)\n`,
    );
    console.log('| path | points/s per round | median |');
    console.log('|---|---|---|');
    console.log(
      `| raw influx.writePoints | ${raw.map((x) => x.toFixed(0)).join(', ')} | ${median(raw).toFixed(0)} |`,
    );
    console.log(
      `| gateway sink (batching writer) | ${sink.map((x) => x.toFixed(0)).join(', ')} | ${median(sink).toFixed(0)} |`,
    );
    console.log(
      `\nsink/raw ratio: ${ratio.toFixed(2)}× (target ≥ 0.9×); points stored via sink: ${String(stored[0]?.values[0]?.[1])}`,
    );
    return ratio;
  } finally {
    await influxd.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const accurate = accuracy();
const ratio = await throughput();
console.log(
  `\nresult: accuracy targets ${accurate ? 'met' : 'NOT met'}; throughput ratio ${ratio.toFixed(2)}× ${ratio >= 0.9 ? 'meets' : 'misses'} 0.9×`,
);
