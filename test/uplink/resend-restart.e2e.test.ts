import mqtt from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AckLossProxy } from '../broker/ack-loss-proxy.js';
import { ensureBuilt, type RunningGateway, startGateway } from '../cli/support.js';
import { scannerGatewayWithCloud } from '../support/scanner-gateway.js';

/**
 * Device resends across gateway crashes: `storegate start` as a process, a real mqtt.js scanner (auto-reconnect,
 * so it resends what it never saw acknowledged) behind a proxy that can lose the PUBACKs, Mosquitto as the
 * cloud. Every scan carries a `msg_id`; whatever is delivered twice must arrive under the same event id.
 */
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});
beforeAll(() => ensureBuilt());

describe('storegate start SIGKILLed while a device resends (msg_id)', () => {
  it('a resend across a restart arrives under the same event id; nothing acknowledged is lost', async () => {
    const {
      config,
      httpPort,
      brokerPort,
      consumer,
      creds: mqttCreds,
    } = await scannerGatewayWithCloud('resend', cleanups);
    const creds = { mqtt: mqttCreds };
    const proxy = new AckLossProxy(brokerPort);
    await proxy.start();
    cleanups.push(() => proxy.stop());

    let gateway: RunningGateway = await startGateway(config, httpPort);
    const kill = async () => {
      gateway.child.kill('SIGKILL');
      await new Promise((r) => gateway.child.once('exit', r));
    };
    cleanups.push(() => gateway.stop());
    const device = mqtt.connect(proxy.url, {
      clientId: creds.mqtt.client_id,
      username: creds.mqtt.username,
      password: creds.mqtt.password,
      reconnectPeriod: 200,
      connectTimeout: 5_000,
    });
    device.on('error', () => {});
    cleanups.push(() => device.end(true));
    await new Promise<void>((resolve) => device.once('connect', () => resolve()));

    const readings = () => consumer.items.filter((i) => i.type === 'device.reading');
    const acked = new Set<string>();
    // MQTT.js keeps in-flight QoS 1 messages across reconnects, but fails those still queued behind its store
    // replay when the link drops again ("Connection closed"); a device then sends the scan again with the same
    // msg_id, as firmware does — which is what the gateway must deduplicate.
    const publish = async (msgId: string): Promise<void> => {
      for (;;) {
        try {
          await device.publishAsync(
            'devices/scanner-1/scan',
            JSON.stringify({ code: `code-${msgId}`, msg_id: msgId }),
            { qos: 1 },
          );
          acked.add(msgId);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };

    // 1. The PUBACKs are lost: 40 scans become durable and reach the cloud, the device never hears back.
    proxy.swallow = true;
    const first = Array.from({ length: 40 }, (_, i) => publish(`a-${i}`));
    await consumer.waitFor(() => readings().length >= 40, 30_000, '40 scans at the cloud');
    expect(acked.size).toBe(0);

    // 2. kill -9; restart; the device reconnects and resends all 40 to a gateway that remembers none of them.
    await kill();
    proxy.swallow = false;
    proxy.cut();
    gateway = await startGateway(config, httpPort);
    // 3. While the resends and new scans flow, kill -9 again.
    const second = Array.from({ length: 40 }, (_, i) => publish(`b-${i}`));
    await consumer.waitFor(() => acked.size >= 20, 30_000, 'resends and new scans acknowledged');
    await kill();
    proxy.cut();
    gateway = await startGateway(config, httpPort);
    await Promise.all([...first, ...second]);
    expect(acked.size).toBe(80);

    await consumer.waitFor(
      () => new Set(readings().map((r) => r.data.msg_id)).size === 80,
      30_000,
      'every acknowledged scan at the cloud',
    );
    const idsByMsg = new Map<string, Set<string>>();
    for (const r of readings()) {
      const msgId = r.data.msg_id as string;
      expect(r.data.code).toBe(`code-${msgId}`);
      idsByMsg.set(msgId, (idsByMsg.get(msgId) ?? new Set()).add(r.id));
    }
    for (const [msgId, ids] of idsByMsg) expect(ids.size, msgId).toBe(1);
    // The first 40 were delivered at least twice (before the crash, and as resends after it): same ids.
    for (let i = 0; i < 40; i++)
      expect(readings().filter((r) => r.data.msg_id === `a-${i}`).length).toBeGreaterThanOrEqual(2);
    // Deduplicated on id, the cloud holds exactly one event per scan.
    expect(new Set(readings().map((r) => r.id)).size).toBe(80);
  });
});
