import type { ErrorWithReasonCode, MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker, waitFor } from './support.js';

/**
 * What a device sees for the protocol and the keepalive it announces (docs/device-protocol.md "Connecting"):
 * MQTT 3.1.1 and 3.1 are accepted; MQTT 5 is refused; every refusal carries a CONNACK code its protocol
 * defines (aedes' keepalive refusal used 3.1.1's reserved code 6).
 */
let tb: TestBroker;
afterEach(async () => tb?.close());

function outcome(client: MqttClient): Promise<{ connected: boolean; code?: number; message?: string }> {
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ connected: true }));
    client.once('error', (err) =>
      resolve({ connected: false, code: (err as ErrorWithReasonCode).code, message: err.message }),
    );
    client.once('close', () => resolve({ connected: false, message: 'closed' }));
  });
}

describe('protocol versions and keepalive', () => {
  it('accepts MQTT 3.1.1 and 3.1 devices', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('scale-1', 'scale');
    expect(await outcome(tb.connect('scale-1', secret, { protocolVersion: 4 }))).toEqual({ connected: true });
    tb.addDevice('scale-2', 'scale');
    const secret2 = tb.addDevice('scale-3', 'scale');
    expect(await outcome(tb.connect('scale-3', secret2, { protocolVersion: 3 }))).toEqual({
      connected: true,
    });
  });

  it('refuses an MQTT 5 device with return code 1 (unacceptable protocol version), counted', async () => {
    tb = await startTestBroker();
    const secret = tb.addDevice('scale-1', 'scale');
    const got = await outcome(tb.connect('scale-1', secret, { protocolVersion: 5 }));
    expect(got).toMatchObject({ connected: false, code: 1 });
    await waitFor(
      async () =>
        (await tb.metric('storegate_broker_rejections_total', { reason: 'protocol_version' })) === 1,
    );
    expect(await tb.metric('storegate_broker_clients')).toBe(0);
  });

  it('refuses a keepalive above max_keepalive_s with 3.1.1 code 2, counted, never the reserved 6', async () => {
    tb = await startTestBroker({ broker: { limits: { max_keepalive_s: 30 } } });
    const secret = tb.addDevice('scale-1', 'scale');
    const tooLong = await outcome(tb.connect('scale-1', secret, { keepalive: 600 }));
    expect(tooLong).toMatchObject({ connected: false, code: 2 });
    const none = await outcome(tb.connect('scale-1', secret, { keepalive: 0 }));
    expect(none).toMatchObject({ connected: false, code: 2 });
    await waitFor(
      async () => (await tb.metric('storegate_broker_rejections_total', { reason: 'keepalive' })) === 2,
    );
    expect(await outcome(tb.connect('scale-1', secret, { keepalive: 20 }))).toEqual({ connected: true });
  });
});
