/**
 * `npm run bench:uplink`: the store-and-forward path against a real local Mosquitto (127.0.0.1 only).
 * 1. durable enqueue throughput and bytes written to disk per event (SD-card wear);
 * 2. drain rate of a 1,000,000-event backlog after an outage (default quotas: 100 msg/s, 128 KB);
 * 3. end-to-end latency append → cloud receipt at a steady 1,000 events/s;
 * 4. baseline in the same run: mqtt.js publishing the same events straight to Mosquitto, QoS 1, no outbox.
 * Bounded: each phase has a time cap and says so when it hits it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { openOutbox } from '../../gateway/src/sinks/outbox/open-outbox.js';
import type { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import { CommandRegistry } from '../../gateway/src/sinks/uplink/commands.js';
import { Uplink } from '../../gateway/src/sinks/uplink/uplink.js';
import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import { Mosquitto } from '../support/mosquitto.js';

const STORE = 'bench-store';
const clock = systemClock();
const logger = createLogger({ level: 'warn' });
const dirs: string[] = [];

function config(url: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-uplink-'));
  dirs.push(dataDir);
  return parseConfig({ store: { id: STORE }, data_dir: dataDir, cloud: { url } }, { baseDir: dataDir });
}

function event(n: number): EventEnvelope {
  // A realistic must-deliver event: a lane scan (~150 bytes on the wire).
  return {
    type: 'lane.scan',
    t: Date.now(),
    stream: `lane/${n % 8}`,
    dataClass: 'must_deliver',
    data: { n, sku: '4006381333931', weight_g: 412.5, sent: performance.now() },
  };
}

function diskWrites(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('write_bytes:'));
  return Number(line?.split(':')[1] ?? 0);
}

const progress = (what: string) => process.stderr.write(`bench:uplink: ${what}…\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Cloud side: counts events (batch items or single baseline messages) and records latencies. */
async function consumer(url: string, topic: string) {
  const client = await mqtt.connectAsync(url, { clientId: `bench-cloud-${Date.now()}`, clean: true });
  const state = { events: 0, latencies: [] as number[], record: false };
  client.on('message', (_t, payload) => {
    const now = performance.now();
    const msg = JSON.parse(payload.toString()) as {
      batch?: Array<{ data: { sent: number } }>;
      data?: { sent: number };
    };
    const items = msg.batch ?? [msg];
    state.events += items.length;
    if (state.record) for (const i of items) state.latencies.push(now - i.data!.sent);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { state, close: () => client.endAsync(true) };
}

async function waitUntil(pred: () => boolean, capMs: number): Promise<boolean> {
  const deadline = Date.now() + capMs;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Appends of one event each with up to `window` outstanding, like many devices publishing at once. */
async function enqueue(outbox: Outbox, total: number, window = 2_000): Promise<number> {
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  for (let n = 0; n < total; n++) {
    const p = outbox.append([event(n)]).then(() => {
      pending.delete(p);
    });
    pending.add(p);
    if (pending.size >= window) await Promise.race(pending);
  }
  await Promise.all(pending);
  return total / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const broker = new Mosquitto({ persistence: false });
  await broker.start();
  const eventsTopic = `stores/${STORE}/events`;
  const results: string[] = [];
  try {
    // 1. Durable enqueue (no uplink): throughput and disk bytes per event.
    {
      progress('durable enqueue of 200,000 events');
      const outbox = await openOutbox(config('mqtt://127.0.0.1:9'), { clock, logger });
      const n = 200_000;
      const before = diskWrites();
      const rate = await enqueue(outbox, n);
      const perEvent = (diskWrites() - before) / n;
      outbox.close();
      results.push(
        `enqueue (durable, fsync per group commit): ${fmt(rate)} events/s, ${fmt(perEvent)} bytes written to disk per event`,
      );
    }

    // 4a. Baseline throughput: mqtt.js straight to Mosquitto, QoS 1, one message per event, no outbox.
    const n = 100_000;
    let baselineRate: number;
    {
      progress('baseline: mqtt.js QoS 1 direct');
      const cloud = await consumer(broker.url, 'baseline/#');
      const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-baseline' });
      const started = performance.now();
      // At most 1,000 unacknowledged (MQTT has 65,535 packet ids; mqtt.js stalls when they run out).
      const pending = new Set<Promise<unknown>>();
      for (let i = 0; i < n; i++) {
        const topic = `baseline/${i % 8}`;
        const p: Promise<unknown> = pub.publishAsync(topic, JSON.stringify(event(i)), { qos: 1 }).then(() => {
          pending.delete(p);
        });
        pending.add(p);
        if (pending.size >= 1_000) await Promise.race(pending);
      }
      await Promise.all(pending);
      await waitUntil(() => cloud.state.events >= n, 60_000);
      baselineRate = n / ((performance.now() - started) / 1000);
      await pub.endAsync();
      await cloud.close();
      results.push(`baseline mqtt.js QoS 1 direct (no outbox, no durability): ${fmt(baselineRate)} events/s`);
    }

    // 4b. Same events through outbox + uplink, online, all defaults (100 msg/s, 128 KB).
    {
      progress('outbox + uplink online');
      const cloud = await consumer(broker.url, eventsTopic);
      const cfg = config(broker.url);
      const outbox = await openOutbox(cfg, { clock, logger });
      const uplink = new Uplink({
        config: { ...cfg, cloud: cfg.cloud! },
        clock,
        logger,
        outbox,
        commands: new CommandRegistry(),
      });
      await uplink.start();
      await waitUntil(() => uplink.isConnected(), 10_000);
      const started = performance.now();
      await enqueue(outbox, n);
      const done = await waitUntil(() => cloud.state.events >= n, 60_000);
      const rate = cloud.state.events / ((performance.now() - started) / 1000);
      results.push(
        `outbox + uplink, online, same ${fmt(n)} events: ${fmt(rate)} events/s${done ? '' : ' (CAPPED at 60 s)'} → ratio ${(rate / baselineRate).toFixed(2)}× baseline (target ≥ 0.5×)`,
      );

      // 3. Steady 1,000 events/s for 10 s: latency append → cloud receipt.
      progress('steady 1,000 events/s for 10 s');
      cloud.state.latencies = [];
      cloud.state.record = true;
      const base = cloud.state.events;
      const steadyStart = performance.now();
      let sent = 0;
      while (performance.now() - steadyStart < 10_000) {
        const due = Math.floor(performance.now() - steadyStart) - sent;
        for (let i = 0; i < due; i++) void outbox.append([event(sent++)]);
        await sleep(1);
      }
      await waitUntil(() => cloud.state.events - base >= sent, 10_000);
      cloud.state.record = false;
      const lat = [...cloud.state.latencies].sort((a, b) => a - b);
      results.push(
        `e2e latency at ${fmt(sent / 10)} events/s (append → cloud receipt): p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, max ${lat.at(-1)?.toFixed(1)} ms (target p99 ≤ 100 ms)`,
      );
      await uplink.stop();
      outbox.close();
      await cloud.close();
    }

    // 3b. Baseline latency at the same steady rate.
    {
      progress('baseline latency');
      const cloud = await consumer(broker.url, 'baseline-lat/#');
      const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-baseline-lat' });
      cloud.state.record = true;
      const start = performance.now();
      let sent = 0;
      while (performance.now() - start < 5_000) {
        const due = Math.floor(performance.now() - start) - sent;
        for (let i = 0; i < due; i++)
          void pub.publishAsync(`baseline-lat/${sent % 8}`, JSON.stringify(event(sent++)), { qos: 1 });
        await sleep(1);
      }
      await waitUntil(() => cloud.state.events >= sent, 10_000);
      const lat = [...cloud.state.latencies].sort((a, b) => a - b);
      results.push(
        `baseline latency at ${fmt(sent / 5)} events/s: p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms`,
      );
      await pub.endAsync();
      await cloud.close();
    }

    // 2. A 1,000,000-event backlog built offline, then drained at the default quotas.
    {
      const total = 1_000_000;
      progress('1,000,000-event backlog: fill, then drain');
      const cfg = config(broker.url);
      const outbox = await openOutbox(cfg, { clock, logger });
      const fillStart = performance.now();
      for (let i = 0; i < total; i += 1_000)
        await outbox.append(Array.from({ length: 1_000 }, (_, k) => event(i + k)));
      const fillS = (performance.now() - fillStart) / 1000;
      const cloud = await consumer(broker.url, eventsTopic);
      const uplink = new Uplink({
        config: { ...cfg, cloud: cfg.cloud! },
        clock,
        logger,
        outbox,
        commands: new CommandRegistry(),
      });
      const started = performance.now();
      await uplink.start();
      const done = await waitUntil(() => cloud.state.events >= total, 120_000);
      const s = (performance.now() - started) / 1000;
      const rate = cloud.state.events / s;
      results.push(
        `backlog fill (1,000-event appends): ${fmt(total / fillS)} events/s`,
        `drain of ${fmt(total)}-event backlog: ${fmt(rate)} events/s over ${s.toFixed(1)} s, ${fmt(uplink.stats.messagesSent)} messages (${fmt(total / Math.max(1, uplink.stats.messagesSent))} events/message)${done ? '' : ` (CAPPED at 120 s: ${fmt(cloud.state.events)} delivered)`} (target ≥ 20,000 events/s)`,
      );
      await uplink.stop();
      outbox.close();
      await cloud.close();
    }
  } finally {
    await broker.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nbench:uplink (Mosquitto on 127.0.0.1, node ${process.version})\n${results.map((r) => `  ${r}`).join('\n')}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:uplink failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
