import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { CheckoutFeature } from '../../gateway/src/features/checkout/feature.js';
import { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { Reading } from '../../shared/src/readings.js';
import { bearer, seedToken } from '../support/auth.js';

const COLA = '5012345678900';
const T0 = 1_767_225_600_000;

describe('CheckoutFeature in a real gateway (pipeline, SQLite, fastify inject)', () => {
  let dir: string;
  let gateway: Gateway | null = null;
  let clock: FakeClock;
  let sink: MemoryEventSink;

  async function boot(): Promise<{ gw: Gateway; checkout: CheckoutFeature }> {
    const config = parseConfig(
      {
        data_dir: dir,
        log: { level: 'fatal' },
        http: { host: '127.0.0.1', port: 0 },
        broker: { host: '127.0.0.1', port: 0 },
        checkout: { lanes: [{ id: 'lane-1', scanner: 'scan-1', scale: 'scale-1' }] },
      },
      { env: {}, baseDir: dir },
    );
    sink = new MemoryEventSink();
    const gw = await buildGateway(config, { clock, events: sink, logger: pino({ level: 'silent' }) });
    await gw.start();
    gateway = gw;
    return { gw, checkout: gw.features.find((f) => f.name === 'checkout') as CheckoutFeature };
  }

  const reading = (deviceId: string, body: Record<string, unknown>) =>
    ({
      deviceId,
      deviceTime: null,
      receivedAt: clock.now(),
      quality: 'good',
      source: 'mqtt',
      ...body,
    }) as Reading;

  async function bag(gw: Gateway, scanner: string, scale: string, from: number, grams: number) {
    await gw.context.pipeline.ingest(reading(scanner, { type: 'scanner.scan', code: COLA }));
    clock.advance(1_000);
    await gw.context.pipeline.ingest(
      reading(scale, { type: 'scale.reading', grams: from + grams, status: 'stable' }),
    );
    clock.advance(1_000);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-checkout-feature-'));
    clock = new FakeClock(T0);
  });
  afterEach(async () => {
    await gateway?.stop();
    gateway = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('learned weights and the catalog survive a restart (the lane works offline)', async () => {
    let { gw, checkout } = await boot();
    checkout.applyCatalog({ items: [{ gtin: COLA, sku: 'cola-330', grams: 352, tolerance_grams: 8 }] });
    await gw.context.pipeline.ingest(reading('scale-1', { type: 'scale.reading', grams: 0, status: 'zero' }));
    let on = 0;
    for (let i = 0; i < 10; i++) {
      const g = 355 + (i % 3);
      await bag(gw, 'scan-1', 'scale-1', on, g);
      on += g;
    }
    expect(sink.events.filter((e) => e.type === 'lane.item.verified')).toHaveLength(10);
    // A weighing teaches once it is final, when the shopper moves on: here the next scan.
    await gw.context.pipeline.ingest(reading('scan-1', { type: 'scanner.scan', code: COLA }));
    await gw.stop();
    gateway = null;

    ({ gw, checkout } = await boot());
    expect(checkout.catalog.version()?.version).toBe(1);
    expect(checkout.learner.ready(`0${COLA}`)).toMatchObject({ n: 10 });
    expect(checkout.learner.ready(`0${COLA}`)?.mean).toBeCloseTo(356, 0);
  });

  it('lanes from the registry (location.lane), GET /api/lanes, attendant validation, unmapped devices', async () => {
    const { gw, checkout } = await boot();
    checkout.applyCatalog({ items: [{ gtin: COLA, sku: 'cola-330', grams: 352 }] });
    gw.context.registry.add({ id: 'scan-9', kind: 'scanner', location: { lane: 'lane-9' } });
    gw.context.registry.add({ id: 'scale-9', kind: 'scale', location: { lane: 'lane-9' } });
    await gw.context.pipeline.ingest(reading('scale-9', { type: 'scale.reading', grams: 0, status: 'zero' }));
    await bag(gw, 'scan-9', 'scale-9', 0, 351);
    expect(sink.events.find((e) => e.type === 'lane.item.verified')?.stream).toBe('lane/lane-9');
    await gw.context.pipeline.ingest(reading('stranger', { type: 'scanner.scan', code: COLA }));
    expect(checkout.processor.counters.unmapped).toBe(1);

    const headers = bearer(seedToken(dir, 'attendant', 'attendant-test'));
    const list = await gw.context.http.inject({ method: 'GET', url: '/api/lanes', headers });
    const lanes = list.json().lanes as Array<{
      lane: string;
      devices: Record<string, string>;
      verified: number;
    }>;
    expect(lanes.map((l) => l.lane)).toEqual(['lane-1', 'lane-9']);
    expect(lanes[0]?.devices).toEqual({ scanner: 'scan-1', scale: 'scale-1' });
    expect(lanes[1]).toMatchObject({ devices: { scanner: 'scan-9', scale: 'scale-9' }, verified: 1 });

    const bad = await gw.context.http.inject({
      method: 'POST',
      url: '/api/lanes/lane-9/attendant',
      headers,
      payload: { action: 'approve' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/action/);
    const none = await gw.context.http.inject({
      method: 'POST',
      url: '/api/lanes/lane-9/attendant',
      headers,
      payload: { action: 'clear' },
    });
    expect(none.statusCode).toBe(409);
    expect(
      (await gw.context.http.inject({ method: 'GET', url: '/api/lanes/lane-404', headers })).statusCode,
    ).toBe(404);
    const catalog = await gw.context.http.inject({ method: 'GET', url: '/api/checkout/catalog', headers });
    expect(catalog.json()).toMatchObject({ version: 1, items: 1 });
  });
});
