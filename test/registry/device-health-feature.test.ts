import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { DeviceHealthFeature } from '../../gateway/src/features/devices/feature.js';
import { PipelineTicker } from '../../gateway/src/features/ticker/feature.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { MemoryEventSink, Pipeline } from '../../gateway/src/ports/pipeline.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { FakeClock } from '../../shared/src/clock.js';

const T0 = 1_700_000_000_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function context() {
  const clock = new FakeClock(T0);
  const sink = new MemoryEventSink();
  const registry = openSqliteDeviceRegistry(':memory:', { clock });
  const http = Fastify();
  const live = new EventEmitter<{ events: [readonly StoreEvent[]] }>();
  const pipeline = new Pipeline(sink, { onEvents: (evs) => live.emit('events', evs) });
  const ticker = new PipelineTicker(pipeline, clock, pino({ level: 'silent' }));
  const ctx: GatewayContext = {
    config: parseConfig({ health: { check_interval_ms: 1_000, offline_after_missed: 3 } }),
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
  cleanups.push(
    () => registry.close(),
    () => http.close(),
  );
  return { ctx, clock, sink, registry, http, ticker };
}

describe('device health feature', () => {
  it('serves GET /api/devices, exports gauges and emits transitions through the pipeline', async () => {
    const { ctx, clock, sink, registry, http, ticker } = context();
    registry.add({ id: 'shelf-1', kind: 'shelf', location: { aisle: '3' }, labels: { vendor: 'acme' } });
    registry.add({ id: 'door-1', kind: 'door' });
    const feature = new DeviceHealthFeature(ctx);
    await feature.start();
    await ticker.start();
    cleanups.push(
      () => feature.stop(),
      () => ticker.stop(),
    );

    ctx.deviceStats.connection('shelf-1', true);
    ctx.deviceStats.accepted('shelf-1', clock.now(), 10);
    ctx.deviceStats.rejected('shelf-1', 'schema');
    await ctx.pipeline.ingest({
      type: 'device.status',
      deviceId: 'shelf-1',
      deviceTime: null,
      receivedAt: clock.now(),
      quality: 'good',
      source: 'mqtt',
      firmware: '3.1.4',
      rssiDbm: -55,
    });
    clock.advance(1_000);
    ctx.deviceStats.accepted('shelf-1', clock.now(), 20);

    const res = await http.inject({ method: 'GET', url: '/api/devices' });
    expect(res.statusCode).toBe(200);
    const { devices } = res.json() as { devices: Record<string, unknown>[] };
    expect(devices.map((d) => d.id)).toEqual(['door-1', 'shelf-1']);
    expect(devices[1]).toMatchObject({
      kind: 'shelf',
      registered: true,
      location: { aisle: '3' },
      labels: { vendor: 'acme' },
      state: 'online',
      online: true,
      last_seen: T0,
      firmware: '3.1.4',
      rssi_dbm: -55,
      connected: true,
      accepted: 30,
      rejected: { schema: 1 },
      publish_rate_per_s: 10,
    });
    expect(devices[0]).toMatchObject({ state: 'unknown', online: false, connected: false, accepted: 0 });
    expect((await http.inject({ url: '/api/devices/nope' })).statusCode).toBe(404);
    expect((await http.inject({ url: '/api/devices/shelf-1' })).json()).toMatchObject({ id: 'shelf-1' });

    // Last-seen reaches the registry (for the CLI in another process) through its batched touch.
    expect(registry.get('shelf-1')?.firmware).toBe('3.1.4');

    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await new Promise((r) => setImmediate(r)); // the ticker re-arms after the sink resolved
    }
    const offline = sink.events.filter((e) => e.type === 'device.health' && e.data.state === 'offline');
    expect(offline).toEqual([
      expect.objectContaining({ dataClass: 'must_deliver', stream: 'health/shelf-1' }),
    ]);
    const metrics = await ctx.metrics.metrics();
    expect(metrics).toContain('storegate_devices_offline{kind="shelf"} 1');
    expect(metrics).toContain('storegate_devices_online{kind="shelf"} 0');
    expect(metrics).toContain('storegate_device_health_transitions_total{to="offline"} 1');

    registry.remove('door-1');
    clock.advance(1_000);
    const after = (await http.inject({ url: '/api/devices' })).json() as { devices: { id: string }[] };
    expect(after.devices.map((d) => d.id)).toEqual(['shelf-1']);
  });

  it('stops its timer on stop()', async () => {
    const { ctx, clock } = context();
    const feature = new DeviceHealthFeature(ctx);
    await feature.start();
    expect(clock.pendingTimers()).toBe(1);
    await feature.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
