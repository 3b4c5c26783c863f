import { afterEach, describe, expect, it } from 'vitest';
import { Mosquitto, sleep } from '../support/mosquitto.js';
import { CloudConsumer, gatewayConfig, mdEvent, STORE, startStack, tempDir } from './harness.js';
import { makeCerts } from './tls-certs.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function appendSome(stack: Awaited<ReturnType<typeof startStack>>, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await stack.outbox.append([mdEvent('lane/1', i)]);
}

describe('uplink security', () => {
  it('5. TLS with a client certificate: accepted with the right one, refused with a wrong one', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const certs = makeCerts(tmp.dir);
    const broker = new Mosquitto({
      tls: {
        cafile: certs.ca,
        certfile: certs.serverCert,
        keyfile: certs.serverKey,
        requireCertificate: true,
      },
    });
    cleanups.push(() => broker.dispose());
    await broker.start();
    const consumer = await CloudConsumer.connect(broker.url);
    cleanups.push(() => consumer.close());

    const rogue = await startStack(
      gatewayConfig(`${tmp.dir}/rogue`, {
        url: broker.tlsUrl,
        ca: certs.ca,
        cert: certs.rogueCert,
        key: certs.rogueKey,
      }),
    );
    cleanups.push(() => rogue.stop());
    await appendSome(rogue, 5);
    await sleep(1500);
    expect(rogue.uplink.isConnected()).toBe(false);
    expect(rogue.uplink.stats.reconnects).toBeGreaterThanOrEqual(2);
    expect(rogue.outbox.totals().must_deliver.count).toBe(5); // kept, waiting for a working connection
    expect(consumer.items).toHaveLength(0);

    const good = await startStack(
      gatewayConfig(`${tmp.dir}/good`, {
        url: broker.tlsUrl,
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKey,
        protocol_version: 5,
      }),
    );
    cleanups.push(() => good.stop());
    await appendSome(good, 20);
    await consumer.waitFor(() => consumer.ids().size === 20, 10_000, '20 events over TLS');
    expect(good.uplink.isConnected()).toBe(true);
  });

  it('refuses to start with an unreadable CA file or a certificate without its key', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const missing = gatewayConfig(`${tmp.dir}/a`, { url: 'mqtts://127.0.0.1:9', ca: 'no-such-ca.pem' });
    await expect(startStack(missing)).rejects.toThrow(/cloud\.ca: cannot read .*no-such-ca\.pem/);
    const half = gatewayConfig(`${tmp.dir}/b`, { url: 'mqtts://127.0.0.1:9', cert: `${tmp.dir}/x.crt` });
    await expect(startStack(half)).rejects.toThrow(/cert and cloud.key must be set together/);
  });

  it('username/password: accepted with the right password, refused (and retried) with a wrong one', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const broker = new Mosquitto({ auth: { username: 'gw', password: 's3cret' } });
    cleanups.push(() => broker.dispose());
    await broker.start();
    const consumer = await CloudConsumer.connect(broker.url.replace('mqtt://', 'mqtt://gw:s3cret@'));
    cleanups.push(() => consumer.close());

    const wrong = await startStack(
      gatewayConfig(`${tmp.dir}/w`, { url: broker.url, username: 'gw', password: 'nope' }),
    );
    cleanups.push(() => wrong.stop());
    await appendSome(wrong, 3);
    await sleep(1000);
    expect(wrong.uplink.isConnected()).toBe(false);
    expect(wrong.outbox.totals().must_deliver.count).toBe(3);

    const right = await startStack(
      gatewayConfig(`${tmp.dir}/r`, {
        url: broker.url,
        username: 'gw',
        password: 's3cret',
        client_id: `${STORE}-gw`,
      }),
    );
    cleanups.push(() => right.stop());
    await appendSome(right, 3);
    await consumer.waitFor(() => consumer.ids().size === 3, 10_000, '3 events');
  });
});
