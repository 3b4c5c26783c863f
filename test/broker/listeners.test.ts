import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensurePeer } from '../support/peers.js';
import { connected, startTestBroker, type TestBroker } from './support.js';

describe('TLS and WebSocket listeners', () => {
  let dir: string;
  let tb: TestBroker;
  const cert = () => join(dir, 'cert.pem');
  const key = () => join(dir, 'key.pem');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-tls-'));
    execFileSync(
      ensurePeer('openssl'),
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key(),
        '-out',
        cert(),
      ]),
      { stdio: 'ignore' },
    );
  });
  afterEach(async () => tb?.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves devices over TLS with the same authentication and ingest', async () => {
    tb = await startTestBroker({ broker: { tls: { port: 0, cert: cert(), key: key() } } });
    const secret = tb.addDevice('door-tls', 'door');
    const port = tb.broker.addresses().tls!.port;
    const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
      clientId: 'door-tls',
      username: 'door-tls',
      password: secret,
      ca: readFileSync(cert()),
      reconnectPeriod: 0,
    });
    client.on('error', () => {});
    await connected(client);
    await client.publishAsync('devices/door-tls/door', JSON.stringify({ in: 1, out: 0 }), { qos: 1 });
    expect(tb.ctx.deviceStats.get('door-tls')?.accepted).toBe(1);
    const wrong = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
      clientId: 'door-tls',
      username: 'door-tls',
      password: 'nope',
      ca: readFileSync(cert()),
      reconnectPeriod: 0,
    });
    wrong.on('error', () => {});
    await expect(connected(wrong)).rejects.toThrow(/Bad username or password/i);
    // the packet-size guard sees the decrypted stream too
    const gone = new Promise<void>((r) => client.once('close', () => r()));
    client.publish('devices/door-tls/door', Buffer.alloc(1024 * 1024, 0x61));
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'packet_too_large' })).toBe(1);
  });

  it('serves MQTT over WebSocket on the configured path, with the packet-size guard', async () => {
    tb = await startTestBroker({
      broker: { websocket: { port: 0, path: '/mqtt' }, limits: { max_packet_bytes: 4096 } },
    });
    const secret = tb.addDevice('scan-ws', 'scanner');
    const port = tb.broker.addresses().ws!.port;
    const client = mqtt.connect(`ws://127.0.0.1:${port}/mqtt`, {
      clientId: 'scan-ws',
      username: 'scan-ws',
      password: secret,
      reconnectPeriod: 0,
    });
    client.on('error', () => {});
    await connected(client);
    await client.publishAsync('devices/scan-ws/scan', JSON.stringify({ code: '4006381333931' }), { qos: 1 });
    expect(tb.ctx.deviceStats.get('scan-ws')?.accepted).toBe(1);
    const gone = new Promise<void>((r) => client.once('close', () => r()));
    client.publish('devices/scan-ws/scan', Buffer.alloc(64 * 1024, 0x61));
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'packet_too_large' })).toBe(1);
  });
});
