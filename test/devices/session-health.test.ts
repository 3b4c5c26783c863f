import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent, StoreEventOf } from '../../gateway/src/core/events.js';
import type { ServedLaneState } from '../../gateway/src/features/checkout/lane-health.js';
import type { DeviceView } from '../../gateway/src/features/devices/routes.js';
import { authedFetch, seedToken } from '../support/auth.js';

/**
 * Issue 15.4 against real MQTT clients on the embedded broker: a device whose session closed is offline at once
 * (not after its 3-minute silence window), and the lane it belongs to pauses instead of asking for the next scan.
 */
const dir = mkdtempSync(join(tmpdir(), 'sg-session-health-'));
const events: StoreEvent[] = [];
const laneStates: ServedLaneState[] = [];
const secrets = new Map<string, string>();
let gateway: Gateway;
let brokerUrl = '';
let httpBase = '';
let api: (url: string) => Promise<Response>;
const clients: MqttClient[] = [];

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>) {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function connect(id: string): Promise<MqttClient> {
  const client = mqtt.connect(brokerUrl, {
    clientId: id,
    username: id,
    password: secrets.get(id)!,
    reconnectPeriod: 0,
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

const device = async (id: string) =>
  (await (await api(`${httpBase}/api/devices/${id}`)).json()) as DeviceView;
const lane = async () => (await (await api(`${httpBase}/api/lanes/lane-1`)).json()) as ServedLaneState;
const healthOf = (id: string) =>
  events.filter(
    (e): e is StoreEventOf<'device.health'> =>
      e.type === 'device.health' && e.data.device === id && e.data.change === 'state',
  );

beforeAll(async () => {
  const config = parseConfig(
    {
      data_dir: join(dir, 'data'),
      log: { level: 'fatal' },
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
    },
    { env: {}, baseDir: dir },
  );
  gateway = await buildGateway(config, { logger: pino({ level: process.env.SG_TEST_LOG ?? 'silent' }) });
  gateway.context.live.on('events', (evs) => events.push(...evs));
  for (const [id, kind] of [
    ['scan-1', 'scanner'],
    ['scale-1', 'scale'],
  ] as const) {
    secrets.set(id, gateway.context.registry.add({ id, kind, location: { lane: 'lane-1' } }).secret);
  }
  await gateway.start();
  const broker = gateway.features.find((f) => f.name === 'broker') as unknown as { port(): number };
  brokerUrl = `mqtt://127.0.0.1:${broker.port()}`;
  httpBase = `http://${gateway.addresses().http!.replace(/^https?:\/\//, '')}`;
  api = authedFetch(seedToken(config.dataDir, 'viewer', 'health-test'));
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('health that tells the truth (issue 15.4)', () => {
  it('a device whose MQTT session closes is offline at once, and its lane pauses', async () => {
    const scanner = await connect('scan-1');
    scanner.on('message', (_t, payload) =>
      laneStates.push(JSON.parse(payload.toString()) as ServedLaneState),
    );
    await scanner.subscribeAsync('lanes/lane-1/state', { qos: 1 });
    await scanner.publishAsync('devices/scan-1/status', JSON.stringify({ firmware: '1.0.0' }), { qos: 1 });
    const scale = await connect('scale-1');
    await scale.publishAsync('devices/scale-1/scale', JSON.stringify({ grams: 0, status: 'zero' }), {
      qos: 1,
    });
    await until('scale online', async () => (await device('scale-1')).online);
    expect(await lane()).toMatchObject({
      paused: false,
      offline_devices: [],
      message: 'Scan your first item to start',
    });

    const closedAt = Date.now();
    scale.end(true); // the socket goes away without a DISCONNECT, as when power is cut
    const view = await until('scale offline', async () => {
      const v = await device('scale-1');
      return !v.online && v;
    });
    // The silence window of a scale is 3 minutes; the session closing decided it.
    expect(Date.now() - closedAt).toBeLessThan(view.offline_after_ms!);
    expect(view).toMatchObject({ connected: false, online: false, state: 'offline' });
    await until('offline event on the live feed', () => healthOf('scale-1').at(-1)?.data.state === 'offline');
    expect(healthOf('scale-1').at(-1)).toMatchObject({
      dataClass: 'must_deliver',
      data: { state: 'offline', previous: 'online', cause: 'session_closed' },
    });

    const paused = await lane();
    expect(paused).toMatchObject({ paused: true, offline_devices: ['scale-1'] });
    expect(paused.message).toBe('Scale offline: lane paused, please wait for an attendant');
    await until('retained lane state says paused', () => laneStates.at(-1)?.paused === true);
    expect(laneStates.at(-1)?.message).toMatch(/^Scale offline/);
    // The scanner's session is still open and it was heard: it stays online.
    expect((await device('scan-1')).online).toBe(true);
  });

  it('the health ticker does not bring a closed session back online; a reading after reconnecting does', async () => {
    const before = healthOf('scale-1').length;
    // Several health ticks pass while last-seen is still inside the window.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(healthOf('scale-1').length).toBe(before);
    expect((await device('scale-1')).state).toBe('offline');

    const scale = await connect('scale-1');
    await scale.publishAsync('devices/scale-1/scale', JSON.stringify({ grams: 0, status: 'zero' }), {
      qos: 1,
    });
    await until('scale back online', async () => (await device('scale-1')).online);
    expect(healthOf('scale-1').at(-1)).toMatchObject({ data: { state: 'online', cause: 'heard' } });
    await until('lane resumes', async () => {
      const s = await lane();
      return !s.paused && s.offline_devices.length === 0 && s.message === 'Scan your first item to start';
    });
    await until('retained lane state resumed', () => laneStates.at(-1)?.paused === false);
  });
});
