import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type TargetGateway, until } from './support.js';

const metric = async (t: TargetGateway, pattern: RegExp) => {
  const text = await (await fetch(`${t.base}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
};

/** A CONNECT's CONNACK return code (0 = accepted), or -1 when the socket was closed without one. */
async function connack(url: string, options: mqtt.IClientOptions): Promise<number> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, {
      ...options,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      protocolVersion: 4,
    });
    c.once('connect', () => {
      c.end(true);
      resolve(0);
    });
    c.once('error', (err) => {
      c.end(true);
      resolve(Number((err as { code?: number }).code ?? -1));
    });
    c.once('close', () => resolve(-1));
  });
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: Socket) =>
  new Promise<boolean>((resolve) => {
    if (s.destroyed) return resolve(true);
    s.once('close', () => resolve(true));
    setTimeout(() => resolve(false), 5_000);
  });

describe('broker: one address cannot take every slot', () => {
  let t: TargetGateway;
  beforeAll(async () => {
    t = await startTarget({
      broker: {
        host: '127.0.0.1',
        port: 0,
        limits: { max_connections_per_address: 6, max_pending_connects: 4 },
      },
    });
  });
  afterAll(async () => t?.close());

  it('caps sockets that never send CONNECT, and connections per address; both counted', async () => {
    const port = Number(t.gw.addresses().mqtt_tcp!.split(':').at(-1));
    const idle = await Promise.all(Array.from({ length: 4 }, () => rawSocket(port)));
    const fifth = await rawSocket(port);
    expect(await closed(fifth)).toBe(true);
    expect(await metric(t, /storegate_broker_rejections_total\{reason="max_pending_connects"\} (\d+)/)).toBe(
      1,
    );
    for (const s of idle) s.destroy();
    await until(
      'idle sockets gone',
      async () => (await metric(t, /storegate_broker_connections (\d+)/)) === 0 || undefined,
    );

    const url = `mqtt://127.0.0.1:${port}`;
    const devices = [];
    for (let i = 0; i < 5; i++) {
      const id = `door-cap-${i}`;
      const { secret } = t.gw.context.registry.add({ id, kind: 'door' });
      devices.push(
        await mqtt.connectAsync(url, { clientId: id, username: id, password: secret, reconnectPeriod: 0 }),
      );
    }
    const sixth = await rawSocket(port); // 6 of 6 from this address
    const seventh = await rawSocket(port);
    expect(await closed(seventh)).toBe(true);
    expect(sixth.destroyed).toBe(false);
    expect(
      await metric(t, /storegate_broker_rejections_total\{reason="max_connections_per_address"\} (\d+)/),
    ).toBe(1);
    sixth.destroy();
    await Promise.all(devices.map((d) => d.endAsync()));
  });
});

describe('broker: guessing and impersonation', () => {
  let t: TargetGateway;
  let url: string;
  let secret: string;
  beforeAll(async () => {
    t = await startTarget({
      broker: { host: '127.0.0.1', port: 0, allow_anonymous: true, auth_throttle: { max_failures: 3 } },
    });
    url = t.gw.addresses().mqtt_tcp!;
    secret = t.gw.context.registry.add({ id: 'shelf-a3', kind: 'shelf' }).secret;
  });
  afterAll(async () => t?.close());

  it('an anonymous client may not use a registered device id', async () => {
    expect(await connack(url, { clientId: 'shelf-a3' })).toBe(2); // identifier rejected
    expect(await metric(t, /storegate_broker_auth_failures_total\{reason="client_id_taken"\} (\d+)/)).toBe(1);
    expect(await connack(url, { clientId: 'lane-display-x' })).toBe(0);
  });

  it('parallel wrong passwords: no more than max_failures reach the hash check, then the address is blocked', async () => {
    const codes = await Promise.all(
      Array.from({ length: 20 }, () =>
        connack(url, { clientId: 'shelf-a3', username: 'shelf-a3', password: 'guess' }),
      ),
    );
    expect(codes.filter((c) => c === 4).length).toBeLessThanOrEqual(3); // bad credentials: went through scrypt
    expect(codes.filter((c) => c === 3 || c === 5).length).toBeGreaterThanOrEqual(17); // refused before it
    expect(
      await metric(t, /storegate_broker_auth_failures_total\{reason="throttled"\} (\d+)/),
    ).toBeGreaterThanOrEqual(17);
    // Blocked now, even with the right secret.
    expect(await connack(url, { clientId: 'shelf-a3', username: 'shelf-a3', password: secret })).toBe(5);
  });
});
