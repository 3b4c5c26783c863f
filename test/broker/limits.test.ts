import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, connected, startTestBroker, type TestBroker, waitFor } from './support.js';

describe('broker limits', () => {
  let tb: TestBroker;
  afterEach(async () => tb?.close());

  it('drops a connection announcing a packet over max_packet_bytes before buffering it; others keep flowing', async () => {
    tb = await startTestBroker({ broker: { limits: { max_packet_bytes: 64 * 1024 } } });
    const good = tb.addDevice('shelf-ok', 'shelf');
    const bad = tb.addDevice('shelf-big', 'shelf');
    const ok = tb.connect('shelf-ok', good);
    const big = tb.connect('shelf-big', bad);
    await Promise.all([connected(ok), connected(big)]);
    let flowing = true;
    const pump = (async () => {
      let i = 0;
      while (flowing) {
        await ok.publishAsync('devices/shelf-ok/shelf', JSON.stringify({ channel: 0, grams: i++ }), {
          qos: 1,
        });
      }
    })();
    const gone = closed(big);
    big.publish('devices/shelf-big/shelf', Buffer.alloc(1024 * 1024, 0x61), { qos: 0 });
    await gone;
    const before = tb.ctx.deviceStats.get('shelf-ok')?.accepted ?? 0;
    await waitFor(() => (tb.ctx.deviceStats.get('shelf-ok')?.accepted ?? 0) > before + 20);
    flowing = false;
    await pump;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'packet_too_large' })).toBe(1);
    expect(ok.connected).toBe(true);
    expect(tb.ctx.deviceStats.get('shelf-big')?.accepted ?? 0).toBe(0);
  });

  it('kills a raw connection as soon as the fixed header announces an oversize packet', async () => {
    tb = await startTestBroker({ broker: { limits: { max_packet_bytes: 1024 } } });
    const sock = netConnect(tb.broker.port(), '127.0.0.1');
    sock.on('error', () => {});
    await new Promise((r) => sock.once('connect', r));
    // CONNECT fixed header announcing 200 MB (remaining length 0xFFFFFF5F), then nothing else
    sock.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x5f]));
    await new Promise((r) => sock.once('close', r));
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'packet_too_large' })).toBe(1);
  });

  it('disconnects a device over its publish rate and counts it', async () => {
    tb = await startTestBroker({ broker: { limits: { max_publishes_per_second: 5, publish_burst: 10 } } });
    const secret = tb.addDevice('door-1', 'door');
    const c = tb.connect('door-1', secret);
    await connected(c);
    const gone = closed(c);
    for (let i = 0; i < 50; i++)
      c.publish('devices/door-1/beam', JSON.stringify({ beam: 'a', blocked: i % 2 === 0 }));
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'rate_limited' })).toBe(1);
    expect(tb.ctx.deviceStats.get('door-1')?.rejected.rate_limited).toBe(1);
    expect(tb.ctx.deviceStats.get('door-1')?.accepted).toBe(10);
  });

  it('refuses connections beyond max_connections', async () => {
    tb = await startTestBroker({ broker: { limits: { max_connections: 2 } } });
    const ids = ['s1', 's2', 's3'];
    const secrets = ids.map((id) => tb.addDevice(id, 'shelf'));
    await connected(tb.connect('s1', secrets[0]));
    await connected(tb.connect('s2', secrets[1]));
    await expect(connected(tb.connect('s3', secrets[2]))).rejects.toThrow();
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'max_connections' })).toBe(1);
  });

  it('disconnects a publish with too many topic levels', async () => {
    tb = await startTestBroker({ broker: { limits: { max_topic_levels: 4 } } });
    const secret = tb.addDevice('cam-1', 'camera');
    const c = tb.connect('cam-1', secret);
    await connected(c);
    const gone = closed(c);
    c.publish('devices/cam-1/camera/zone/a/b/c', '{}');
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'topic_levels' })).toBe(1);
  });

  it('closes a connection that never sends CONNECT within connect_timeout_ms', async () => {
    tb = await startTestBroker({ broker: { limits: { connect_timeout_ms: 200 } } });
    const sock = netConnect(tb.broker.port(), '127.0.0.1');
    sock.on('error', () => {});
    const t0 = Date.now();
    await new Promise((r) => sock.once('close', r));
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'connect_timeout' })).toBe(1);
  });

  it('refuses a keepalive above max_keepalive_s', async () => {
    tb = await startTestBroker({ broker: { limits: { max_keepalive_s: 30 } } });
    const secret = tb.addDevice('scale-1', 'scale');
    await expect(connected(tb.connect('scale-1', secret, { keepalive: 600 }))).rejects.toThrow();
    await waitFor(
      async () => (await tb.metric('storegate_broker_rejections_total', { reason: 'keepalive' })) === 1,
    );
    await connected(tb.connect('scale-1', secret, { keepalive: 20 }));
  });

  it('drops a device that stops reading its socket after drain_timeout_ms', async () => {
    tb = await startTestBroker({ broker: { limits: { drain_timeout_ms: 300 } } });
    const secret = tb.addDevice('scale-slow', 'scale');
    const c = tb.connect('scale-slow', secret);
    await connected(c);
    await c.subscribeAsync('devices/scale-slow/cmd', { qos: 0 });
    // stop reading: the kernel buffers fill up and aedes waits for 'drain' that never comes
    (c.stream as import('node:net').Socket).pause();
    const gone = closed(c);
    const big = Buffer.alloc(60 * 1024, 0x61);
    for (let i = 0; i < 400 && c.connected; i++) {
      await tb.broker.publish('devices/scale-slow/cmd', big).catch(() => {});
    }
    await waitFor(
      async () => (await tb.metric('storegate_broker_rejections_total', { reason: 'drain_timeout' })) === 1,
      10_000,
    );
    (c.stream as import('node:net').Socket).resume();
    await gone;
  });
});
