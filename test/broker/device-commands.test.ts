import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { createLogger } from '../../shared/src/logger.js';
import { bearer, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';

/**
 * Device commands over MQTT, through the real gateway: the shelf HTTP API sends `tare`/`calibrate` on
 * `devices/{id}/cmd`, a real mqtt.js device answers on `devices/{id}/cmd-response`.
 */
describe('MQTT device commands (devices/{id}/cmd → cmd-response)', () => {
  let gateway: Gateway;
  let base: string;
  let device: mqtt.MqttClient;
  const received: { id: string; name: string; args: Record<string, unknown> }[] = [];
  let answer: (req: { id: string; name: string }) => unknown = () => null;

  beforeAll(async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'sg-cmd-'));
    const config = parseConfig(
      {
        data_dir: dir,
        http: { host: '127.0.0.1', port: httpPort },
        broker: { host: '127.0.0.1', port: brokerPort },
      },
      { env: {} },
    );
    gateway = await buildGateway(config, { logger: createLogger({ level: 'silent' }) });
    const { secret } = gateway.context.registry.add({ id: 'shelf-m1', kind: 'shelf' });
    await gateway.start();
    base = `http://127.0.0.1:${httpPort}`;
    token = seedToken(dir);
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      clientId: 'shelf-m1',
      username: 'shelf-m1',
      password: secret,
    });
    await device.subscribeAsync('devices/shelf-m1/cmd', { qos: 1 });
    device.on('message', (_topic, payload) => {
      const req = JSON.parse(payload.toString());
      received.push(req);
      const reply = answer(req);
      if (reply !== null) device.publish('devices/shelf-m1/cmd-response', JSON.stringify(reply), { qos: 1 });
    });
  });

  afterAll(async () => {
    await device?.endAsync();
    await gateway?.stop('test done');
  });

  let token = '';
  const post = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...bearer(token), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('tares a plate of an MQTT shelf device and reports success', async () => {
    answer = (req) => ({ id: req.id, status: 'ok', data: {} });
    const res = await post('/api/shelves/shelf-m1/2/tare');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(received.at(-1)).toMatchObject({ name: 'tare', args: { channel: 2 } });
  });

  it('calibrates with a known weight and returns the counts per gram the device reports', async () => {
    answer = (req) => ({ id: req.id, status: 'ok', data: { counts_per_gram: 421.7 } });
    const res = await post('/api/shelves/shelf-m1/0/calibrate', { known_grams: 1000 });
    expect(await res.json()).toEqual({ ok: true, counts_per_gram: 421.7 });
    expect(received.at(-1)).toMatchObject({ name: 'calibrate', args: { channel: 0, known_grams: 1000 } });
  });

  it('passes a device error back with its code', async () => {
    answer = (req) => ({
      id: req.id,
      status: 'error',
      error: { code: 'not_stable', message: 'plate moving' },
    });
    const res = await post('/api/shelves/shelf-m1/0/tare');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await res.text()).toContain('not_stable');
  });

  it('answers 404 for an unknown device and 503 for a registered one that is not connected, at once', async () => {
    expect((await post('/api/shelves/nope/0/tare')).status).toBe(404);
    gateway.context.registry.add({ id: 'shelf-off', kind: 'shelf' });
    const started = Date.now();
    expect((await post('/api/shelves/shelf-off/0/tare')).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('counts a malformed response as a rejection and times out the command instead of hanging', async () => {
    answer = () => ({ nonsense: true });
    const res = await post('/api/shelves/shelf-m1/1/tare');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await res.text()).toContain('did not answer');
    expect(gateway.context.deviceStats.get('shelf-m1')?.rejected.schema).toBeGreaterThanOrEqual(1);
  }, 15_000);
});
