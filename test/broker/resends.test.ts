import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveEventId } from '../../gateway/src/core/event-ids.js';
import { eventsOf } from '../../gateway/src/core/events.js';
import type { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { AckLossProxy } from './ack-loss-proxy.js';
import { connected, startTestBroker, type TestBroker, waitFor } from './support.js';

/**
 * Device resends against the real broker with real mqtt.js clients: an acknowledgement lost on the way back
 * (a proxy swallows it, then drops the connection), mqtt.js reconnects and resends the same packet id — the
 * reading is ingested once. A device `msg_id` catches a resend that comes with a new packet id.
 */
let tb: TestBroker;
let proxy: AckLossProxy | null = null;
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const c of clients) c.end(true);
  clients.length = 0;
  await proxy?.stop();
  proxy = null;
  await tb?.close();
});

function readings(code: string) {
  return eventsOf((tb.sink as MemoryEventSink).events, 'device.reading').filter((e) => e.data.code === code);
}

async function deviceThroughProxy(id: string, secret: string): Promise<MqttClient> {
  proxy = new AckLossProxy(tb.broker.port());
  await proxy.start();
  const client = mqtt.connect(proxy.url, {
    clientId: id,
    username: id,
    password: secret,
    reconnectPeriod: 100,
    connectTimeout: 5_000,
  });
  client.on('error', () => {});
  clients.push(client);
  await connected(client);
  return client;
}

describe('resends after a lost acknowledgement', () => {
  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: the resend with the same packet id is acknowledged, not ingested again`, async () => {
      tb = await startTestBroker();
      const secret = tb.addDevice('scanner-1', 'scanner');
      const device = await deviceThroughProxy('scanner-1', secret);
      proxy!.swallow = true;
      let acked = false;
      const publishing = device
        .publishAsync('devices/scanner-1/scan', JSON.stringify({ code: 'LOST-ACK' }), { qos })
        .then(() => {
          acked = true;
        });
      await waitFor(() => readings('LOST-ACK').length === 1, 10_000);
      expect(acked).toBe(false);
      proxy!.swallow = false;
      proxy!.cut(); // mqtt.js reconnects and resends the unacknowledged PUBLISH
      await publishing;
      expect(readings('LOST-ACK')).toHaveLength(1);
      expect(
        await tb.metric('storegate_device_messages_duplicate_total', {
          device: 'scanner-1',
          key: 'packet_id',
        }),
      ).toBe(1);

      // The same payload again is a new scan (a second item of the same product): it is ingested.
      await device.publishAsync('devices/scanner-1/scan', JSON.stringify({ code: 'LOST-ACK' }), { qos });
      expect(readings('LOST-ACK')).toHaveLength(2);
    });
  }

  it('without a lost acknowledgement, repeated identical payloads are all ingested', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('scanner-1', 'scanner');
    const device = await deviceThroughProxy('scanner-1', secret);
    for (let i = 0; i < 20; i++)
      await device.publishAsync('devices/scanner-1/scan', JSON.stringify({ code: 'SAME' }), { qos: 1 });
    proxy!.cut();
    await waitFor(() => device.connected, 10_000);
    for (let i = 0; i < 5; i++)
      await device.publishAsync('devices/scanner-1/scan', JSON.stringify({ code: 'SAME' }), { qos: 1 });
    expect(readings('SAME')).toHaveLength(25);
    expect(await tb.metric('storegate_device_messages_duplicate_total')).toBe(0);
  });
});

describe('device msg_id', () => {
  it('a resend from a rebooted device (new session, new packet id) is acknowledged once, ids derived', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('scanner-1', 'scanner');
    const payload = JSON.stringify({ code: '4006381333931', msg_id: 'boot7-0042' });
    for (let boot = 0; boot < 2; boot++) {
      const device = tb.connect('scanner-1', secret);
      await connected(device);
      await device.publishAsync('devices/scanner-1/scan', payload, { qos: 1 });
      await device.endAsync();
    }
    const got = readings('4006381333931');
    expect(got).toHaveLength(1);
    expect(got[0]!.data.msg_id).toBe('boot7-0042');
    expect(got[0]!.id).toBe(
      deriveEventId({
        store: 'store-test',
        device: 'scanner-1',
        msgId: 'boot7-0042',
        type: 'device.reading',
        ordinal: 0,
      }),
    );
    expect(got[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(
      await tb.metric('storegate_device_messages_duplicate_total', { device: 'scanner-1', key: 'msg_id' }),
    ).toBe(1);

    // Another msg_id with the same content is another scan; an integer msg_id is its decimal string.
    const device = tb.connect('scanner-1', secret);
    await connected(device);
    await device.publishAsync(
      'devices/scanner-1/scan',
      JSON.stringify({ code: '4006381333931', msg_id: 43 }),
      { qos: 1 },
    );
    await device.publishAsync(
      'devices/scanner-1/scan',
      JSON.stringify({ code: '4006381333931', msg_id: '43' }),
      { qos: 1 },
    );
    const after = readings('4006381333931');
    expect(after).toHaveLength(2);
    expect(after[1]!.data.msg_id).toBe('43');
    expect(after[1]!.id).not.toBe(after[0]!.id);
  });

  it('a msg_id that is not a valid id is a schema rejection', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('scanner-1', 'scanner');
    const device = tb.connect('scanner-1', secret);
    await connected(device);
    await device.publishAsync('devices/scanner-1/scan', JSON.stringify({ code: 'X', msg_id: 'has space' }), {
      qos: 1,
    });
    await waitFor(
      async () =>
        (await tb.metric('storegate_device_messages_rejected_total', {
          device: 'scanner-1',
          reason: 'schema',
        })) === 1,
    );
    expect(readings('X')).toHaveLength(0);
  });
});
