import mqtt from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type RunningGateway, startGateway } from '../cli/support.js';
import { scannerGatewayWithCloud } from '../support/scanner-gateway.js';

/**
 * The real thing: `storegate start` as a process, a scanner publishing QoS 1 scans to its embedded broker,
 * Mosquitto as the cloud. SIGKILL the gateway mid-stream, restart it: every scan the device got a PUBACK for
 * reaches the cloud.
 */
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});
beforeAll(() => ensureBuilt());

describe('storegate start SIGKILLed mid-stream (real gateway, real device, real cloud)', () => {
  it('every scan acknowledged to the device reaches the cloud after a restart', async () => {
    const {
      config,
      httpPort,
      brokerPort,
      consumer,
      creds: mqttCreds,
    } = await scannerGatewayWithCloud('uplink', cleanups);
    const creds = { mqtt: mqttCreds };

    let acked = 0;
    for (let round = 0; round < 2; round++) {
      const gateway: RunningGateway = await startGateway(config, httpPort);
      cleanups.push(() => gateway.stop());
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
        clientId: creds.mqtt.client_id,
        username: creds.mqtt.username,
        password: creds.mqtt.password,
        reconnectPeriod: 0,
      });
      device.on('error', () => {});
      const target = acked + 150;
      const publishing = (async () => {
        for (let n = acked + 1; ; n++) {
          // Resolves on PUBACK: from here on, the gateway owes the cloud this scan.
          await device.publishAsync('devices/scanner-1/scan', JSON.stringify({ code: `code-${n}` }), {
            qos: 1,
          });
          acked = n;
        }
      })().catch(() => undefined);
      await consumer.waitFor(() => acked >= target, 30_000, `device progress to ${target}`);
      gateway.child.kill('SIGKILL');
      await new Promise((r) => gateway.child.once('exit', r));
      device.end(true); // fails the publish still waiting for its PUBACK: it was never acknowledged
      await publishing;
    }

    const gateway = await startGateway(config, httpPort);
    cleanups.push(() => gateway.stop());
    const codes = () =>
      new Set(consumer.items.filter((i) => i.type === 'device.reading').map((i) => i.data.code as string));
    await consumer.waitFor(
      () => {
        const got = codes();
        for (let n = 1; n <= acked; n++) if (!got.has(`code-${n}`)) return false;
        return true;
      },
      30_000,
      `all ${acked} acknowledged scans at the cloud`,
    );
    const seqs = consumer.items.filter((i) => i.stream === 'device/scanner-1').map((i) => i.seq);
    expect(Math.max(...seqs)).toBe(new Set(seqs).size); // gap-free across two crashes
  });
});
