import { afterEach, describe, expect, it } from 'vitest';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { connected, startTestBroker, type TestBroker, waitFor } from './support.js';

const T = 1_790_000_000_000;

describe('MQTT device connector', () => {
  let tb: TestBroker;
  afterEach(async () => tb?.close());

  it('normalizes valid payloads into readings and records last-seen and firmware', async () => {
    const sink = new MemoryEventSink();
    tb = await startTestBroker({ sink });
    const secret = tb.addDevice('door-1', 'door');
    const c = tb.connect('door-1', secret);
    await connected(c);
    await c.publishAsync('devices/door-1/door', JSON.stringify({ t: T, in: 5, out: 2 }), { qos: 1 });
    await c.publishAsync('devices/door-1/status', JSON.stringify({ firmware: '1.4.2', uptime_s: 10 }), {
      qos: 1,
    });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]!.data).toMatchObject({
      device: 'door-1',
      reading: 'door.count',
      in: 5,
      out: 2,
      device_time: T,
      source: 'mqtt',
    });
    expect(tb.ctx.deviceStats.get('door-1')?.accepted).toBe(2);
    await waitFor(() => tb.ctx.registry.get('door-1')?.firmware === '1.4.2', 3_000);
  });

  it('rejects malformed payloads with a reason per device, keeps the connection, forwards nothing', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('cam-1', 'camera');
    const watcherSecret = tb.addDevice('cam-2', 'camera');
    const c = tb.connect('cam-1', secret);
    await connected(c);
    const bad: Array<[string, string, string]> = [
      ['camera/line', 'not json', 'not_json'],
      ['camera/line', JSON.stringify({ line: 'entry', in: 'five', out: 0 }), 'schema'],
      ['camera/zone', JSON.stringify({ zone: 'z1', count: -3 }), 'schema'],
      ['camera/zone', JSON.stringify({ zone: 'z1', count: 2, image: 'abc' }), 'image_data'],
      [
        'camera/zone',
        JSON.stringify({ zone: 'z1', count: 2, note: `data:image/jpeg;base64,${'A'.repeat(50)}` }),
        'image_data',
      ],
      ['camera/zone', JSON.stringify({ zone: 'z1', count: 2, blob: 'QUJD'.repeat(200) }), 'image_data'],
      ['door', JSON.stringify({ in: 1, out: 1 }), 'wrong_kind'],
      ['telemetry', JSON.stringify({ x: 1 }), 'unknown_topic'],
      ['camera/zone', JSON.stringify({ zone: 'z1', count: 1, pad: 'x'.repeat(20_000) }), 'oversize'],
    ];
    for (const [suffix, payload] of bad) await c.publishAsync(`devices/cam-1/${suffix}`, payload, { qos: 1 });
    await c.publishAsync('devices/cam-1/camera/zone', JSON.stringify({ zone: 'z1', count: 4 }), { qos: 1 });
    const stats = tb.ctx.deviceStats.get('cam-1')!;
    expect(stats.rejected).toEqual({
      not_json: 1,
      schema: 2,
      image_data: 3,
      wrong_kind: 1,
      unknown_topic: 1,
      oversize: 1,
    });
    expect(stats.accepted).toBe(1);
    expect(
      await tb.metric('storegate_device_messages_rejected_total', { device: 'cam-1', reason: 'schema' }),
    ).toBe(2);
    expect(
      await tb.metric('storegate_device_messages_rejected_total', { device: 'cam-1', reason: 'image_data' }),
    ).toBe(3);
    expect(c.connected).toBe(true);
    expect(watcherSecret).toBeTruthy();
  });

  it('forwards accepted readings to subscribers and never a rejected payload', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('door-7', 'door');
    const seen: string[] = [];
    const aedes = tb.broker.aedes!;
    const collect = (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
      seen.push(`${packet.topic} ${packet.payload.toString()}`);
      cb();
    };
    await new Promise<void>((r) => aedes.subscribe('devices/#', collect, () => r()));
    await new Promise<void>((r) => aedes.subscribe('$storegate/#', collect, () => r()));
    const c = tb.connect('door-7', secret);
    await connected(c);
    await c.publishAsync('devices/door-7/door', '{"in":"x","out":0}', { qos: 1 });
    await c.publishAsync('devices/door-7/door', '{"in":1,"out":0}', { qos: 1 });
    await waitFor(() => seen.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    // the rejected publish survives only as an empty marker on the dead-letter topic (no client may read it)
    expect(seen).toEqual(['$storegate/rejected/door-7 ', 'devices/door-7/door {"in":1,"out":0}']);
  });

  it('holds the PUBACK of a must-deliver QoS 1 reading until the sink made it durable', async () => {
    let release: () => void = () => {};
    const appended: StoreEvent[] = [];
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const sink = {
      async append(events: readonly StoreEvent[]) {
        await gate;
        appended.push(...events);
      },
    };
    tb = await startTestBroker({ sink });
    const secret = tb.addDevice('scan-1', 'scanner');
    const c = tb.connect('scan-1', secret);
    await connected(c);
    let acked = false;
    const pub = c
      .publishAsync('devices/scan-1/scan', JSON.stringify({ code: '4006381333931' }), { qos: 1 })
      .then(() => {
        acked = true;
      });
    await new Promise((r) => setTimeout(r, 300));
    expect(acked).toBe(false);
    expect(appended).toHaveLength(0);
    release();
    await pub;
    expect(appended).toHaveLength(1);
  });

  it('does not acknowledge and disconnects when the sink fails, so the device resends', async () => {
    const sink = { append: async () => Promise.reject(new Error('disk full')) };
    tb = await startTestBroker({ sink });
    const secret = tb.addDevice('scale-1', 'scale');
    const c = tb.connect('scale-1', secret);
    await connected(c);
    let acked = false;
    c.publish(
      'devices/scale-1/scale',
      JSON.stringify({ grams: 120, status: 'stable' }),
      { qos: 1 },
      (err) => {
        if (!err) acked = true;
      },
    );
    await waitFor(() => !c.connected);
    expect(acked).toBe(false);
    expect(await tb.metric('storegate_device_ingest_failures_total', { device: 'scale-1' })).toBe(1);
  });
});
