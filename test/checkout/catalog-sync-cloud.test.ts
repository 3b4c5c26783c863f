import { generateKeyPairSync, sign } from 'node:crypto';
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
// The cloud's signing key: the gateway only has the public half (cloud.command_signing.public_keys).
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const rogue = generateKeyPairSync('ed25519').privateKey;

/** A signed catalog.sync envelope (docs/security.md "Signed downlink"). */
function signed(
  id: string,
  catalog: unknown,
  opts: { store?: string; key?: typeof privateKey } = {},
): string {
  const text = JSON.stringify({
    id,
    name: 'catalog.sync',
    store: opts.store ?? 'lane-store',
    args: { catalog },
  });
  return JSON.stringify({
    signed: text,
    sig: sign(null, Buffer.from(text), opts.key ?? privateKey).toString('base64'),
  });
}

async function command(
  id: string,
  catalog: unknown,
  payload = signed(id, catalog),
): Promise<Record<string, unknown>> {
  await operator.publishAsync(`${PREFIX}/cmd/catalog.sync`, payload, {
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
      cloud: {
        url: cloud.url,
        command_signing: { public_keys: [publicKey.export({ format: 'pem', type: 'spki' }).toString()] },
      },
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
    await operator.publishAsync(`${PREFIX}/cmd/catalog.sync`, signed('warmup', { version: 1, items: [] }));
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

  it('a compromised cloud topic: unsigned, wrongly signed, other-store and out-of-range versions are refused', async () => {
    const checkout = gateway.features.find((f) => f.name === 'checkout') as CheckoutFeature;
    const catalog = { version: 9, items: [] };
    const unsigned = await command('u-1', catalog, JSON.stringify({ id: 'u-1', args: { catalog } }));
    expect(unsigned).toMatchObject({ status: 'error', error: { code: 'unauthorized' } });
    const forged = await command('u-2', catalog, signed('u-2', catalog, { key: rogue }));
    expect(forged).toMatchObject({
      status: 'error',
      error: { code: 'unauthorized', message: /bad_signature/ },
    });
    const elsewhere = await command('u-3', catalog, signed('u-3', catalog, { store: 'other-store' }));
    expect(elsewhere).toMatchObject({ status: 'error', error: { message: /wrong_store/ } });
    // Even signed: a version of 2^53-1 would block every later update, so it is out of range.
    const huge = await command('u-4', { version: Number.MAX_SAFE_INTEGER, items: [] });
    expect(huge).toMatchObject({ status: 'error' });
    expect(checkout.catalog.version()?.version).toBe(2);
    const text = await (await fetch(`${gateway.addresses().http}/metrics`)).text();
    expect(text).toMatch(/storegate_cloud_commands_refused_total\{reason="unsigned"\} 1/);
    expect(text).toMatch(/storegate_cloud_commands_refused_total\{reason="bad_signature"\} 1/);
  });
});
