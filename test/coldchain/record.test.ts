import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import { coldchainEventData } from '../../gateway/src/core/coldchain-events.js';
import { type EventEnvelope, eventsOf, type StoreEvent } from '../../gateway/src/core/events.js';
import { ColdChainFeature, haccpFile } from '../../gateway/src/features/coldchain/feature.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { MemoryEventSink, Pipeline } from '../../gateway/src/ports/pipeline.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { HaccpStore } from '../../gateway/src/sinks/haccp/haccp-store.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { Reading } from '../../shared/src/readings.js';
import { MIN, T0 } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The cold-chain feature in a real context: SQLite record, Pipeline with the live feed, Fastify via inject. */
async function gateway() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-haccp-'));
  dirs.push(dataDir);
  const clock = new FakeClock(T0);
  const sink = new MemoryEventSink();
  const live = new EventEmitter<{ events: [readonly StoreEvent[]] }>();
  const pipeline = new Pipeline(sink, { onEvents: (evs) => live.emit('events', evs) });
  const registry = openSqliteDeviceRegistry(join(dataDir, 'registry.db'));
  const http = Fastify();
  // What the gateway's auth plugin resolves before any handler (tested in test/security): here, one attendant.
  http.decorateRequest('identity', null);
  http.addHook('onRequest', async (req) => {
    req.identity = { kind: 'user', name: 'alice', role: 'attendant' };
  });
  const config = parseConfig({
    data_dir: dataDir,
    store: { id: 'store-1', timezone: 'UTC' },
    coldchain: {
      units: [
        { id: 'chiller-1', class: 'chilled', source: { device: 'env-1' } },
        { id: 'freezer-1', class: 'frozen', source: { device: 'env-2' } },
      ],
    },
  });
  const ctx: GatewayContext = {
    config,
    clock,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    registry,
    deviceStats: new DeviceStats(),
    pipeline,
    events: sink,
    live,
    http: http as never,
    audit: new MemoryAuditLog(),
  };
  const feature = new ColdChainFeature(ctx);
  await feature.start();
  const sample = async (device: string, tempC: number) => {
    const r: Reading = {
      type: 'cold.sample',
      deviceId: device,
      deviceTime: clock.now(),
      receivedAt: clock.now(),
      quality: 'good',
      source: 'mqtt',
      tempC,
    };
    await pipeline.ingest(r);
  };
  /** One env sample a minute per unit, ticking every second like the live ticker. */
  const run = async (minutes: number, temp: (unit: number, m: number) => number) => {
    for (let m = 0; m < minutes; m++) {
      await sample('env-1', temp(0, m));
      await sample('env-2', temp(1, m));
      for (let s = 0; s < 60; s++) {
        clock.advance(1000);
        await pipeline.tick(clock.now());
      }
    }
  };
  return {
    dataDir,
    metrics: ctx.metrics,
    clock,
    sink,
    http,
    feature,
    run,
    async close() {
      await feature.stop();
      registry.close();
      await http.close();
    },
  };
}

describe('HACCP record', () => {
  it('records samples and alarms in per-unit hash chains; staff acknowledge; the day report goes out', async () => {
    const g = await gateway();
    // Chiller warm for 40 min from minute 60: one high alarm (30 min), cleared at minute 100.
    await g.run(24 * 60 + 25, (u, m) => (u === 0 ? (m >= 60 && m < 100 ? 7 : 3) : -20));
    const alarm = eventsOf(g.sink.events, 'coldchain.alarm').find((e) => e.data.state === 'cleared');
    expect(alarm?.data).toMatchObject({ unit: 'chiller-1', alarm: 'high', started_at: T0 + 60 * MIN });

    const bad = await g.http.inject({
      method: 'POST',
      url: `/api/haccp/alarms/${alarm!.data.id}/ack`,
      payload: { action: 'whatever' },
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await g.http.inject({
      method: 'POST',
      url: '/api/haccp/alarms/chiller-1:high:1/ack',
      payload: { action: 'Technician called' },
    });
    expect(unknown.statusCode).toBe(404);
    const ok = await g.http.inject({
      method: 'POST',
      url: `/api/haccp/alarms/${alarm!.data.id}/ack`,
      payload: { action: 'Product checked with a probe thermometer: within limits', note: 'core 4.1 °C' },
    });
    expect(ok.statusCode).toBe(201);
    const ack = g.sink.events.find((e) => e.type === 'coldchain.ack');
    expect(ack).toMatchObject({
      dataClass: 'must_deliver',
      data: { alarm_id: alarm!.data.id, by: 'user:alice', note: 'core 4.1 °C' },
    });

    // The day closed at midnight + 20 min, and its report went out through the outbox as must-deliver.
    const report = g.sink.events.find((e) => e.type === 'haccp.report');
    expect(report).toMatchObject({
      dataClass: 'must_deliver',
      data: { store: 'store-1', day: '2026-06-01' },
    });
    for (const e of g.sink.events)
      expect(
        () => coldchainEventData[e.type as keyof typeof coldchainEventData]?.parse(e.data),
        e.type,
      ).not.toThrow();
    const chiller = (
      report!.data.units as { unit: string; minutes_high: number; alarm_list: unknown[] }[]
    )[0]!;
    expect(chiller).toMatchObject({ unit: 'chiller-1', minutes_high: 40, alarms: 1 });
    expect(chiller.alarm_list).toHaveLength(1);

    const csv = await g.http.inject({ url: '/api/haccp/report?day=2026-06-01&format=csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain('chiller-1,chilled,-1,5,3,7,');
    expect(csv.body).toMatch(
      /chiller-1,high,2026-06-01T01:00:00Z,2026-06-01T01:30:00Z,2026-06-01T01:40:00Z,5,7,40,.*user:alice: Product checked/,
    );
    const html = await g.http.inject({ url: '/api/haccp/report?day=2026-06-01&format=html' });
    expect(html.body).toContain('<h1>HACCP cold-chain report</h1>');
    expect(html.body).toContain('core 4.1 °C');
    expect((await g.http.inject({ url: '/api/haccp/report?day=2026-06-02' })).statusCode).toBe(404);
    expect((await g.http.inject({ url: '/api/haccp/verify' })).json()).toMatchObject({
      ok: true,
      problems: [],
    });
    const metrics = await g.metrics.metrics();
    expect(metrics).toMatch(/storegate_haccp_record_errors_total 0/);
    expect(metrics).not.toMatch(/storegate_coldchain_alarms_active\{/); // nothing raised any more
    await g.close();

    // 289 five-minute samples per unit, 2 alarm records and an ack for the chiller, one day record.
    const store = new HaccpStore(haccpFile(g.dataDir));
    expect(store.verify().units).toEqual([
      { unit: '@store', records: 1, head: expect.objectContaining({ seq: 1 }) },
      { unit: 'chiller-1', records: 293 + 3, head: expect.objectContaining({ seq: 296 }) },
      { unit: 'freezer-1', records: 293, head: expect.objectContaining({ seq: 293 }) },
    ]);
    store.close();
  });

  it('verify finds an edited, a deleted, a reordered record and a cut-off tail; a pruned chain still verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-haccp-'));
    dirs.push(dir);
    const file = join(dir, 'haccp.db');
    const fresh = () => {
      rmSync(file, { force: true });
      const s = new HaccpStore(file);
      const events: EventEnvelope[] = [];
      for (let i = 0; i < 20; i++)
        events.push({
          type: 'coldchain.sample',
          t: T0 + i * 5 * MIN,
          stream: 'coldchain/u1',
          dataClass: 'telemetry',
          data: { unit: 'u1', temp_c: 3 + i / 10 },
        });
      s.record(events.slice(0, 10));
      s.record(events.slice(10));
      expect(s.verify()).toMatchObject({ ok: true });
      return s;
    };
    const tamper = (sql: string) => {
      const db = new Database(file);
      db.exec(sql);
      db.close();
    };
    const problems = (s: HaccpStore) => s.verify().problems.map((p) => `${p.problem}@${p.seq}`);

    let s = fresh();
    tamper(`UPDATE chain SET body = replace(body, '3.5', '2.5') WHERE seq = 6`);
    expect(problems(s)).toEqual(['edited@6']);
    s.close();

    s = fresh();
    tamper('DELETE FROM chain WHERE seq = 7');
    expect(problems(s)).toEqual(['missing@8']);
    s.close();

    s = fresh();
    tamper(
      'UPDATE chain SET seq = -1 WHERE seq = 4; UPDATE chain SET seq = 4 WHERE seq = 5; UPDATE chain SET seq = 5 WHERE seq = -1',
    );
    expect(problems(s)).toEqual(['reordered@4', 'edited@4', 'reordered@5', 'edited@5', 'reordered@6']);
    s.close();

    s = fresh();
    tamper('DELETE FROM chain WHERE seq > 17');
    expect(problems(s)).toEqual(['missing@20']);
    s.close();

    s = fresh();
    expect(s.prune(T0 + 50 * MIN)).toBe(10);
    expect(s.verify()).toMatchObject({ ok: true, units: [{ unit: 'u1', records: 10 }] });
    s.close();
  });

  it('a retention shorter than 400 days is refused at start', () => {
    expect(() => parseConfig({ coldchain: { retention_days: 365 } })).toThrow(/at least 400 days/);
  });
});
