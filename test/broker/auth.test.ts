import { afterEach, describe, expect, it } from 'vitest';
import { closed, connected, startTestBroker, type TestBroker } from './support.js';

describe('broker authentication', () => {
  let tb: TestBroker;
  afterEach(async () => tb?.close());

  it('accepts a registered device with its own credentials and marks it connected', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('shelf-1', 'shelf');
    const client = tb.connect('shelf-1', secret);
    await connected(client);
    expect(tb.ctx.deviceStats.get('shelf-1')?.connected).toBe(true);
    client.end();
    await closed(client);
  });

  it('refuses a wrong secret, an unknown device, a client id that is not the username, and anonymous', async () => {
    tb = await startTestBroker({
      broker: { auth_throttle: { max_failures: 100, window_ms: 60_000, block_ms: 60_000 } },
    });
    const secret = tb.addDevice('door-1', 'door');
    tb.addDevice('door-2', 'door');
    await expect(connected(tb.connect('door-1', 'not-the-secret'))).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connected(tb.connect('ghost', secret))).rejects.toThrow(/Bad username or password/i);
    await expect(connected(tb.connect('door-2', secret, { username: 'door-1' }))).rejects.toThrow(
      /Identifier rejected/i,
    );
    await expect(connected(tb.connect('anon', undefined))).rejects.toThrow(/Not authorized/i);
    expect(await tb.metric('storegate_broker_auth_failures_total', { reason: 'bad_credentials' })).toBe(2);
    expect(await tb.metric('storegate_broker_auth_failures_total', { reason: 'client_id_mismatch' })).toBe(1);
    expect(await tb.metric('storegate_broker_auth_failures_total', { reason: 'anonymous' })).toBe(1);
  });

  it('lets anonymous clients in only when allowed, and then they cannot publish device data', async () => {
    tb = await startTestBroker({ broker: { allow_anonymous: true } });
    const anon = tb.connect('viewer', undefined);
    await connected(anon);
    const gone = closed(anon);
    anon.publish('devices/shelf-1/shelf', JSON.stringify({ channel: 0, grams: 1 }));
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'acl_publish' })).toBe(1);
  });

  it('throttles repeated failed logins from one address, even with the right secret afterwards', async () => {
    tb = await startTestBroker({
      broker: { auth_throttle: { max_failures: 3, window_ms: 60_000, block_ms: 60_000 } },
    });
    const secret = tb.addDevice('scale-1', 'scale');
    for (let i = 0; i < 3; i++) {
      await expect(connected(tb.connect('scale-1', `wrong-${i}`))).rejects.toThrow(
        /Bad username or password/i,
      );
    }
    await expect(connected(tb.connect('scale-1', secret))).rejects.toThrow(/Not authorized/i);
    expect(await tb.metric('storegate_broker_auth_failures_total', { reason: 'throttled' })).toBe(1);
    expect(await tb.metric('storegate_broker_auth_throttle_blocks_total')).toBe(1);
  });

  it('refuses over-long client ids', async () => {
    tb = await startTestBroker({ broker: { limits: { max_client_id_length: 8 } } });
    await expect(connected(tb.connect('a-very-long-device-id', 'x'))).rejects.toThrow(/Identifier rejected/i);
  });

  it('cuts off a connected device within one check interval after it is removed from the registry', async () => {
    tb = await startTestBroker({ config: { health: { check_interval_ms: 200, offline_after_missed: 3 } } });
    const secret = tb.addDevice('pos-1', 'pos');
    const client = tb.connect('pos-1', secret);
    await connected(client);
    const gone = closed(client);
    tb.ctx.registry.remove('pos-1');
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'device_removed' })).toBe(1);
    expect(tb.ctx.deviceStats.get('pos-1')?.connected).toBe(false);
    await expect(connected(tb.connect('pos-1', secret))).rejects.toThrow(/Bad username or password/i);
  });

  it('cuts off a session whose secret was rotated, and accepts the new secret', async () => {
    tb = await startTestBroker({ config: { health: { check_interval_ms: 200, offline_after_missed: 3 } } });
    const secret = tb.addDevice('pos-2', 'pos');
    const client = tb.connect('pos-2', secret);
    await connected(client);
    const gone = closed(client);
    const fresh = tb.ctx.registry.rotateSecret('pos-2');
    await gone;
    expect(await tb.metric('storegate_broker_rejections_total', { reason: 'secret_rotated' })).toBe(1);
    await expect(connected(tb.connect('pos-2', secret))).rejects.toThrow(/Bad username or password/i);
    const again = tb.connect('pos-2', fresh);
    await connected(again);
    await new Promise((r) => setTimeout(r, 500));
    expect(again.connected).toBe(true);
    again.end(true);
  });
});
