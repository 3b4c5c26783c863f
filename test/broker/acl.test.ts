import { afterEach, describe, expect, it } from 'vitest';
import { closed, connected, startTestBroker, type TestBroker, waitFor } from './support.js';

describe('broker topic ACL', () => {
  let tb: TestBroker;
  afterEach(async () => tb?.close());

  it('disconnects a device that publishes under another device id and forwards nothing', async () => {
    tb = await startTestBroker();
    const a = tb.addDevice('door-a', 'door');
    const b = tb.addDevice('door-b', 'door');
    const victim = tb.connect('door-b', b);
    await connected(victim);
    const attacker = tb.connect('door-a', a);
    await connected(attacker);
    const gone = closed(attacker);
    attacker.publish('devices/door-b/door', JSON.stringify({ in: 999, out: 0 }), { qos: 1 });
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'acl_publish' })).toBe(1);
    expect(tb.ctx.deviceStats.get('door-b')?.accepted ?? 0).toBe(0);
    expect(victim.connected).toBe(true);
  });

  it('answers SUBACK 0x80 for #, +, $SYS/# and another device command topic, and grants the own one', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('cam-1', 'camera', { lane: 'l1' });
    const client = tb.connect('cam-1', secret);
    await connected(client);
    const filters = [
      '#',
      'devices/+/cmd',
      '$SYS/#',
      'devices/cam-2/cmd',
      'devices/cam-1/cmd',
      'lanes/l1/state',
      'lanes/l2/state',
    ];
    // mqtt.js turns a 0x80 return code into an error carrying the SUBACK packet
    const granted: number[] = [];
    for (const topic of filters) {
      granted.push(
        await client.subscribeAsync(topic, { qos: 1 }).then(
          (g) => g[0]!.qos,
          (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0] ?? -1,
        ),
      );
    }
    expect(granted).toEqual([128, 128, 128, 128, 1, 1, 128]);
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'acl_subscribe' })).toBe(5);
    expect(client.connected).toBe(true);
  });

  it('delivers gateway commands published internally to the device command topic only', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('scan-1', 'scanner');
    const client = tb.connect('scan-1', secret);
    await connected(client);
    await client.subscribeAsync('devices/scan-1/cmd', { qos: 1 });
    const got: string[] = [];
    client.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await tb.broker.publish('devices/scan-1/cmd', JSON.stringify({ id: '1', name: 'beep' }), { qos: 1 });
    await waitFor(() => got.length === 1);
    expect(got[0]).toBe('devices/scan-1/cmd {"id":"1","name":"beep"}');
  });
});
