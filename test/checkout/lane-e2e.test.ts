import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ScannerEmulator } from '../../firmware-bridge/src/emulators/scanner.js';
import { SicsScaleEmulator } from '../../firmware-bridge/src/emulators/sics-scale.js';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { CheckoutFeature } from '../../gateway/src/features/checkout/feature.js';
import { SerialConnectorFeature } from '../../gateway/src/features/serial/feature.js';
import type { LaneState } from '../../gateway/src/processors/checkout/lane-types.js';
import { cloudCommands } from '../../gateway/src/sinks/uplink/commands.js';
import { authedFetch, bearer, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';

const COLA = '5012345678900';
const CHIPS = '4006381333931';
const WINE = '8001234567897';
const dir = mkdtempSync(join(tmpdir(), 'sg-lane-e2e-'));
const pairs: PtyPair[] = [];
const runners: { stop(): Promise<void> }[] = [];
const scanner = new ScannerEmulator({ aim: true });
const scale = new SicsScaleEmulator('B-LANE-1');
const events: StoreEvent[] = [];
let gateway: Gateway;
let serial: SerialConnectorFeature | null = null;
let checkout: CheckoutFeature;
let pos: MqttClient;
let httpBase: string;
const retained: LaneState[] = [];

async function until<T>(what: string, fn: () => T | undefined | false, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
let token = '';
let api: (url: string, init?: RequestInit) => Promise<Response> = fetch;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const laneEvents = () => events.filter((e) => e.type.startsWith('lane.'));
const posEvent = (event: string) =>
  new Promise<void>((resolve, reject) =>
    pos.publish('devices/pos-1/pos', JSON.stringify({ event, lane: 'lane-1' }), { qos: 1 }, (err) =>
      err ? reject(err) : resolve(),
    ),
  );

beforeAll(async () => {
  for (const name of ['scan', 'scale'])
    pairs.push(await createPtyPair(join(dir, `gw-${name}`), join(dir, `dev-${name}`)));
  runners.push(runOnPort(scanner, join(dir, 'dev-scan'), { baudRate: 9600 }));
  runners.push(runOnPort(scale, join(dir, 'dev-scale'), { baudRate: 9600 }));
  const deadCloud = await freePort(); // nothing listens here: the cloud is down for the whole test
  const config = parseConfig(
    {
      data_dir: join(dir, 'data'),
      log: { level: 'fatal' },
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
      cloud: {
        url: `mqtt://127.0.0.1:${deadCloud}`,
        connect_timeout_ms: 500,
        // This test's catalog.sync commands are unsigned: the connection is configured as trusted.
        command_signing: { trusted_connection: true },
      },
      serial: {
        backoff_initial_ms: 100,
        devices: [
          { id: 'scan-1', driver: 'line-scanner', path: join(dir, 'gw-scan') },
          { id: 'scale-1', driver: 'mt-sics', path: join(dir, 'gw-scale'), poll_ms: 100 },
        ],
      },
      checkout: { lanes: [{ id: 'lane-1', scanner: 'scan-1', scale: 'scale-1', pos: 'pos-1' }] },
    },
    { env: {}, baseDir: dir },
  );
  gateway = await buildGateway(config, { logger: pino({ level: process.env.SG_TEST_LOG ?? 'silent' }) });
  gateway.context.live.on('events', (evs) => events.push(...evs));
  checkout = gateway.features.find((f) => f.name === 'checkout') as CheckoutFeature;
  // The serial connector is ours to start only if the gateway does not wire it yet.
  if (!gateway.features.some((f) => f.name === 'serial'))
    serial = new SerialConnectorFeature(gateway.context);
  await gateway.start();
  await serial?.start();
  token = seedToken(config.dataDir, 'attendant', 'lane-test');
  api = authedFetch(token);
  checkout.applyCatalog({
    version: 1,
    items: [
      { gtin: COLA, sku: 'cola-330', grams: 352, tolerance_grams: 8 },
      { gtin: CHIPS, sku: 'chips-150', grams: 160 },
      { gtin: WINE, sku: 'wine-750', grams: 1250, age_restricted: true },
    ],
  });
  httpBase = `http://${gateway.addresses().http!.replace(/^https?:\/\//, '')}`;
  const secret = gateway.context.registry.add({
    id: 'pos-1',
    kind: 'pos',
    location: { lane: 'lane-1' },
  }).secret;
  const broker = gateway.features.find((f) => f.name === 'broker') as unknown as { port(): number };
  pos = mqtt.connect(`mqtt://127.0.0.1:${broker.port()}`, {
    clientId: 'pos-1',
    username: 'pos-1',
    password: secret,
    reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => {
    pos.once('connect', () => resolve());
    pos.once('error', reject);
  });
  pos.on('message', (_topic, payload) => retained.push(JSON.parse(payload.toString()) as LaneState));
  await pos.subscribeAsync('lanes/lane-1/state', { qos: 1 });
  // Scale polled over the PTY and at rest (zero) before shopping starts.
  await until('scale readings on lane-1', () => checkout.processor.state('lane-1')?.scale.status === 'zero');
});

afterAll(async () => {
  pos?.end(true);
  await serial?.stop();
  await gateway?.stop();
  for (const r of runners) await r.stop();
  for (const p of pairs) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkout lane end to end: scanner and MT-SICS scale on real PTYs, POS over MQTT, cloud down', () => {
  it('a full honest session raises no alert and closes with totals', async () => {
    const from = events.length;
    await posEvent('basket-open');
    scanner.scan(COLA);
    await until('cola scan pending', () => checkout.processor.state('lane-1')?.pending.length === 1);
    scale.model.place(352.5);
    await until('cola verified', () =>
      laneEvents().some((e) => e.type === 'lane.item.verified' && e.data.gtin === COLA),
    );
    scanner.scan(CHIPS);
    await sleep(300);
    scale.model.place(159);
    await until('chips verified', () =>
      laneEvents().some((e) => e.type === 'lane.item.verified' && e.data.gtin === CHIPS),
    );
    await posEvent('payment-start');
    await posEvent('payment-success');
    scale.model.place(-511.5); // shopper takes the bags
    await sleep(800);
    await posEvent('basket-close');
    const closed = await until('session closed', () =>
      events.slice(from).find((e) => e.type === 'lane.session.closed'),
    );
    expect(events.slice(from).filter((e) => e.type === 'lane.alert')).toEqual([]);
    expect(closed.data).toMatchObject({ lane: 'lane-1', items: 2, verified: 2, paid: true, alerts: 0 });
    expect(closed.dataClass).toBe('must_deliver');
  });

  it('a swapped barcode raises weight_mismatch; the attendant clears it over HTTP; state is everywhere', async () => {
    const from = events.length;
    await posEvent('basket-open');
    scanner.scan(COLA); // the label says cola; a bottle of wine goes into the bag
    await until('scan pending', () => checkout.processor.state('lane-1')?.pending.length === 1);
    scale.model.place(1251);
    await until('wine weighed', () => {
      const weighed = checkout.processor.state('lane-1')?.scale;
      return weighed?.grams === 1251 && weighed.status === 'stable';
    });
    await posEvent('payment-start'); // went to pay: the held level is decided (a resting hand would have lifted)
    const alert = await until('alert', () => events.slice(from).find((e) => e.type === 'lane.alert'));
    expect(alert.data).toMatchObject({ reason: 'weight_mismatch', gtin: COLA, expected_grams: 352 });

    const lane = (await (await api(`${httpBase}/api/lanes/lane-1`)).json()) as LaneState;
    expect(lane.alert?.reason).toBe('weight_mismatch');
    await until('retained state on the broker', () => retained.at(-1)?.alert?.reason === 'weight_mismatch');
    const ws = new WebSocket(`${httpBase.replace('http', 'ws')}/api/lanes/lane-1/ws`, {
      headers: bearer(token),
    });
    const pushed: LaneState[] = [];
    ws.on('message', (m) => pushed.push(JSON.parse(m.toString()) as LaneState));
    await until('ws current state', () => pushed[0]);
    expect(pushed[0]?.alert?.reason).toBe('weight_mismatch');

    const res = await api(`${httpBase}/api/lanes/lane-1/attendant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'clear', note: 'customer rescanned wine' }),
    });
    expect(res.status).toBe(200);
    await until('ws pushed the cleared state', () => pushed.some((s) => s.alert === null));
    ws.close();
    const cleared = events.slice(from).find((e) => e.type === 'lane.alert.cleared');
    expect(cleared?.data).toMatchObject({
      action: 'clear',
      note: 'customer rescanned wine',
      // The authenticated token, never a name from the request.
      attendant: 'token:lane-test',
    });
    const again = await api(`${httpBase}/api/lanes/lane-1/attendant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'override' }),
    });
    expect(again.status).toBe(409);
    expect((await api(`${httpBase}/api/lanes/nope`)).status).toBe(404);
    scale.model.place(-1251);
    await sleep(500);
    await posEvent('basket-close');
    await until('closed', () => events.slice(from).find((e) => e.type === 'lane.session.closed'));
  });

  it('with the cloud down throughout, every lane event was still accepted durably, in order', async () => {
    const uplink = gateway.features.find((f) => f.name === 'uplink');
    expect(uplink).toBeDefined(); // the cloud is configured, just unreachable
    const types = laneEvents().map((e) => e.type);
    expect(types).toEqual([
      'lane.item.verified',
      'lane.item.verified',
      'lane.session.closed',
      'lane.alert',
      'lane.alert.cleared',
      'lane.session.closed',
    ]);
    expect(new Set(laneEvents().map((e) => e.stream))).toEqual(new Set(['lane/lane-1']));
    const metrics = await (await fetch(`${httpBase}/metrics`)).text();
    expect(metrics).toMatch(/storegate_lane_alerts_total\{lane="lane-1",reason="weight_mismatch"\} 1/);
    expect(metrics).toMatch(/storegate_lane_sessions_closed_total\{lane="lane-1"\} 2/);
  });

  it('catalog.sync downlink command: a new version applies, a malformed one is refused and the old kept', async () => {
    const commands = cloudCommands(gateway.context);
    expect(commands.names()).toContain('catalog.sync');
    const request = (id: string, catalog: unknown) => Buffer.from(JSON.stringify({ id, args: { catalog } }));
    const ok = await commands.execute(
      'catalog.sync',
      request('c-1', {
        version: 7,
        items: [{ gtin: COLA, sku: 'cola-330', grams: 352, tolerance_grams: 8 }],
      }),
    );
    expect(ok).toEqual({ id: 'c-1', status: 'ok', data: { version: 7, items: 1, relearn: 0 } });
    const bad = await commands.execute(
      'catalog.sync',
      request('c-2', { version: 8, items: [{ gtin: COLA }] }),
    );
    expect(bad).toMatchObject({ id: 'c-2', status: 'error', error: { code: 'failed' } });
    expect(bad.status === 'error' && bad.error.message).toMatch(/items\[0\]\.sku.*|kept/s);
    const stale = await commands.execute('catalog.sync', request('c-3', { version: 6, items: [] }));
    expect(stale.status === 'error' && stale.error.message).toMatch(/not newer than the current version 7/);
    const current = (await (await api(`${httpBase}/api/checkout/catalog`)).json()) as Record<string, unknown>;
    expect(current).toMatchObject({ version: 7, items: 1, source: 'cloud' });
  });
});
