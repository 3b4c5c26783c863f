import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { FakeClock } from '../../shared/src/clock.js';
import { authedFetch, seedToken } from '../support/auth.js';
import { closedSession } from '../support/event-samples.js';
import { type Influxd, startInfluxd } from '../support/influxd.js';

const dirs: string[] = [];
let influxd: Influxd;

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function gateway(
  dataDir: string,
  footfall: Record<string, unknown>,
  clock: FakeClock,
): Promise<Gateway> {
  const config = parseConfig(
    {
      data_dir: dataDir,
      store: { id: 'store-7', timezone: 'Europe/Berlin' },
      log: { level: 'fatal' },
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
      footfall,
    },
    { env: {}, baseDir: dataDir },
  );
  const gw = await buildGateway(config, {
    clock,
    logger: pino({ level: process.env.SG_TEST_LOG ?? 'silent' }),
  });
  await gw.start();
  return gw;
}

const base = (gw: Gateway) => `http://${gw.addresses().http!.replace(/^https?:\/\//, '')}`;
const tokens = new WeakMap<Gateway, string>();
const getJson = async (gw: Gateway, path: string) => {
  if (!tokens.has(gw)) tokens.set(gw, seedToken(gw.context.config.dataDir, 'viewer'));
  const res = await authedFetch(tokens.get(gw)!)(`${base(gw)}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/**
 * Door counter, camera and POS over MQTT, each published when the gateway's virtual clock reaches its device
 * timestamp (the gateway believes device time only up to a few seconds ahead of receipt).
 */
async function publishTraffic(
  gw: Gateway,
  t0: number,
  advanceTo: (t: number) => Promise<void>,
): Promise<void> {
  const broker = gw.features.find((f) => f.name === 'broker') as unknown as { port(): number };
  const clients = new Map<string, mqtt.MqttClient>();
  for (const [id, kind] of [
    ['door-2', 'door'],
    ['cam-1', 'camera'],
    ['pos-1', 'pos'],
  ] as const) {
    const secret = gw.context.registry.add({ id, kind }).secret;
    clients.set(
      id,
      await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port()}`, {
        clientId: id,
        username: id,
        password: secret,
        reconnectPeriod: 0,
      }),
    );
  }
  const traffic: [string, string, object][] = [
    ['door-2', 'door', { t: t0, in: 65_530, out: 100 }],
    ['cam-1', 'camera/line', { t: t0 + 1_000, line: 'entrance', in: 10, out: 0 }],
    ['door-2', 'door', { t: t0 + 30_000, in: 65_535, out: 101 }],
    ['door-2', 'door', { t: t0 + 70_000, in: 3, out: 103 }], // 16-bit rollover: +4 in
    ['cam-1', 'camera/line', { t: t0 + 95_000, line: 'entrance', in: 12, out: 5 }],
    ['pos-1', 'pos', { t: t0 + 100_000, event: 'transaction', transaction_id: 'tx-1' }],
    ['pos-1', 'pos', { t: t0 + 101_000, event: 'payment-success', transaction_id: 'tx-1' }], // counted once
    ['door-2', 'door', { t: t0 + 130_000, in: 9, out: 104 }],
    ['pos-1', 'pos', { t: t0 + 140_000, event: 'transaction', transaction_id: 'tx-2' }],
  ];
  for (const [id, topic, payload] of traffic) {
    await advanceTo((payload as { t: number }).t);
    await clients.get(id)!.publishAsync(`devices/${id}/${topic}`, JSON.stringify(payload), { qos: 1 });
  }
  for (const c of clients.values()) await c.endAsync();
}

async function scenario(footfall: Record<string, unknown>, t0: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sg-footfall-gw-'));
  dirs.push(dir);
  // Virtual time (the gateway's ticker runs on it): readings are all in before the minutes close.
  const clock = new FakeClock(t0);
  let gw = await gateway(join(dir, 'data'), footfall, clock);
  try {
    // Step virtual time a second at a time, letting each tick's outbox append finish before the next.
    const step = async () => {
      clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 2));
    };
    const advanceTo = async (t: number) => {
      while (clock.now() + 1_000 <= t) await step();
      clock.advanceTo(t);
    };
    await publishTraffic(gw, t0, advanceTo);
    const q = `/api/footfall?from=${t0}&to=${t0 + 4 * 60_000}&step=1m`;
    while (clock.now() < t0 + 4 * 60_000 + 5_000) await step();
    await expect
      .poll(
        async () => {
          await step();
          return ((await getJson(gw, q)).body.buckets as unknown[] | undefined)?.length ?? 0;
        },
        { timeout: 30_000, message: `the four closed minutes from ${q}` },
      )
      .toBe(4);
    const minutes = (await getJson(gw, q)).body;
    const hourly = (await getJson(gw, `/api/footfall?from=${t0}&to=${t0 + 4 * 60_000}&step=1h&door=door-2`))
      .body;
    const occupancy = (await getJson(gw, '/api/occupancy')).body;
    const bad = await getJson(gw, `/api/footfall?from=${t0}&to=${t0 - 1}`);
    const days = await getJson(gw, '/api/footfall/days');
    expect(days.status).toBe(200);
    expect(days.body.days).toEqual([]); // no store day has closed yet
    // Restart: today's occupancy resumes from storage, counter baselines from the saved state.
    await gw.stop();
    gw = await gateway(join(dir, 'data'), footfall, clock);
    const resumed = (await getJson(gw, '/api/occupancy')).body;
    // The counter baseline survived the restart: the next reading is a delta (+3), not a new baseline.
    await gw.context.pipeline.ingest({
      type: 'door.count',
      in: 12,
      out: 104,
      deviceId: 'door-2',
      deviceTime: clock.now(),
      receivedAt: clock.now(),
      quality: 'good',
      source: 'mqtt',
    });
    // Paid checkout-lane sessions count as transactions (unpaid ones do not); the feature hears them on the live feed.
    const lane = (paid: boolean, tx: string): StoreEvent => ({
      type: 'lane.session.closed',
      t: clock.now(),
      stream: 'lane/lane-1',
      dataClass: 'must_deliver',
      data: { ...closedSession, lane: 'lane-1', session: `lane-1:${tx}`, paid, transaction_id: tx },
    });
    await gw.context.pipeline.emit([lane(true, 'tx-3'), lane(false, 'tx-4'), lane(true, 'tx-3')]);
    await new Promise((r) => setTimeout(r, 20));
    const afterRestart = (await getJson(gw, '/api/occupancy')).body;
    return { minutes, hourly, occupancy, bad, resumed, afterRestart };
  } finally {
    await gw.stop();
  }
}

describe('footfall through the gateway (MQTT in, HTTP out)', () => {
  // Two gateway runs, each with a restart and a wait of up to 30 s for its minutes: a backstop, not a budget.
  it('answers the same from the SQLite default and from InfluxDB', { timeout: 180_000 }, async () => {
    // One virtual start for both runs: each taking its own from the wall clock compared two different windows
    // (the same buckets a minute apart) whenever the first run crossed a minute boundary, as it does when slow.
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 4 * 60_000;
    const sqlite = await scenario({}, t0);
    const influx = await scenario(
      { influx: { url: influxd.url, database: 'gw_e2e', flush_interval_ms: 100 } },
      t0,
    );

    expect(sqlite.minutes.source).toBe('sqlite');
    expect(influx.minutes.source).toBe('influx');
    expect(sqlite.minutes.totals).toEqual({ in: 15 + 2, out: 4 + 5, transactions: 2, conversion: 0.1176 });
    const buckets = sqlite.minutes.buckets as {
      in: number;
      out: number;
      occupancy: number;
      transactions: number;
    }[];
    expect(buckets.map((b) => [b.in, b.out, b.occupancy, b.transactions])).toEqual([
      [5, 1, 4, 0],
      [6, 7, 3, 1],
      [6, 1, 8, 1],
      [0, 0, 8, 0], // empty minutes are records too: occupancy is a level
    ]);
    expect((sqlite.hourly.totals as { in: number }).in).toBe(15);
    expect(sqlite.occupancy).toMatchObject({
      store: 'store-7',
      occupancy: 8,
      in: 17,
      out: 9,
      transactions: 2,
    });
    expect(sqlite.bad.status).toBe(400);
    expect(sqlite.resumed).toMatchObject({ occupancy: 8, in: 17, out: 9, transactions: 2 });
    expect(sqlite.afterRestart).toMatchObject({ occupancy: 11, in: 20, out: 9, transactions: 3 });

    const { source: _s, ...restSqlite } = sqlite.minutes;
    const { source: _i, ...restInflux } = influx.minutes;
    expect(restInflux).toEqual(restSqlite);
    expect(influx.hourly.buckets).toEqual(sqlite.hourly.buckets);
    const strip = (o: Record<string, unknown>) => ({ ...o, t: 0 });
    expect(strip(influx.occupancy)).toEqual(strip(sqlite.occupancy));
    expect(strip(influx.resumed)).toEqual(strip(sqlite.resumed));
    expect(strip(influx.afterRestart)).toEqual(strip(sqlite.afterRestart));
  });
});
