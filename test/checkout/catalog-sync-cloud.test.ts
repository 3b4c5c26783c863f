import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { CheckoutFeature } from '../../gateway/src/features/checkout/feature.js';
import { Mosquitto } from '../support/mosquitto.js';

const PREFIX = 'stores/lane-store';
let cloud: Mosquitto;
let gateway: Gateway;
let operator: MqttClient;
let dir: string;
const responses = new Map<string, Record<string, unknown>>();

async function command(id: string, catalog: unknown): Promise<Record<string, unknown>> {
  await operator.publishAsync(`${PREFIX}/cmd/catalog.sync`, JSON.stringify({ id, args: { catalog } }), {
    qos: 1,
  });
  const end = Date.now() + 15_000;
  while (!responses.has(id)) {
    if (Date.now() > end) throw new Error(`no response to ${id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return responses.get(id)!;
}

beforeAll(async () => {
  cloud = await new Mosquitto().start();
  dir = mkdtempSync(join(tmpdir(), 'sg-catalog-cloud-'));
  const config = parseConfig(
    {
      store: { id: 'lane-store' },
      data_dir: dir,
      log: { level: 'fatal' },
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
      cloud: { url: cloud.url },
    },
    { env: {}, baseDir: dir },
  );
  gateway = await buildGateway(config, { logger: pino({ level: 'silent' }) });
  await gateway.start();
  operator = mqtt.connect(cloud.url, { clientId: 'cloud-operator' });
  await new Promise<void>((resolve) => operator.once('connect', () => resolve()));
  operator.on('message', (_t, payload) => {
    const r = JSON.parse(payload.toString()) as Record<string, unknown>;
    responses.set(String(r.id), r);
  });
  await operator.subscribeAsync(`${PREFIX}/cmd-response/catalog.sync`, { qos: 1 });
  // The uplink subscribes to its command topic once connected: wait until a ping is answered.
  const end = Date.now() + 15_000;
  while (!responses.has('warmup')) {
    if (Date.now() > end) throw new Error('gateway uplink never answered');
    await operator.publishAsync(
      `${PREFIX}/cmd/catalog.sync`,
      JSON.stringify({ id: 'warmup', args: { catalog: { version: 1, items: [] } } }),
    );
    await new Promise((r) => setTimeout(r, 300));
  }
});

afterAll(async () => {
  operator?.end(true);
  await gateway?.stop();
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('catalog.sync over the real cloud uplink (Mosquitto as the cloud)', () => {
  it('applies a new version, refuses a malformed one with its reason and keeps the old', async () => {
    const checkout = gateway.features.find((f) => f.name === 'checkout') as CheckoutFeature;
    const ok = await command('sync-2', {
      version: 2,
      items: [{ gtin: '5012345678900', sku: 'cola-330', grams: 352, tolerance_grams: 8 }],
    });
    expect(ok).toEqual({ id: 'sync-2', status: 'ok', data: { version: 2, items: 1, relearn: 0 } });
    expect(checkout.catalog.get('5012345678900')?.sku).toBe('cola-330');

    const bad = await command('sync-3', {
      version: 3,
      items: [{ gtin: '5012345678901', sku: 'x', grams: 1 }],
    });
    expect(bad).toMatchObject({ id: 'sync-3', status: 'error' });
    expect(JSON.stringify(bad)).toMatch(/check digit is wrong/);
    expect(checkout.catalog.version()?.version).toBe(2);
    expect(checkout.catalog.list()).toHaveLength(1);
  });
});
