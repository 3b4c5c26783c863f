import { afterAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import { cloudCommands } from '../../gateway/src/sinks/uplink/commands.js';
import { createLogger } from '../../shared/src/logger.js';
import { laneAlert } from '../support/event-samples.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { CloudConsumer, gatewayConfig, STORE, tempDir } from './harness.js';

let broker: Mosquitto | undefined;
let consumer: CloudConsumer | undefined;
let gateway: Gateway | undefined;
const tmp = tempDir();

afterAll(async () => {
  await gateway?.stop('test');
  await consumer?.close();
  await broker?.dispose();
  tmp.cleanup();
});

describe('the gateway wires the outbox and the uplink', () => {
  it('events emitted into the pipeline reach the cloud; metrics and commands are served', async () => {
    broker = await startMosquitto();
    consumer = await CloudConsumer.connect(broker.url);
    const config = gatewayConfig(tmp.dir, { url: broker.url }, { http: { host: '127.0.0.1', port: 0 } });
    gateway = await buildGateway(config, { logger: createLogger({ level: 'silent' }) });
    expect(gateway.context.events).toBeInstanceOf(Outbox);
    // Another feature registering a command, as the checkout lane does for catalog.sync.
    cloudCommands(gateway.context).register('test.echo', (args) => ({ echo: args }));
    await gateway.start();

    await gateway.context.pipeline.emit([
      {
        type: 'lane.alert',
        t: Date.now(),
        stream: 'lane/1',
        dataClass: 'must_deliver',
        data: { ...laneAlert, lane: '1' },
      },
    ]);
    await consumer.waitFor(
      () => consumer!.items.some((i) => i.type === 'lane.alert'),
      10_000,
      'event at the cloud',
    );

    await consumer.mqtt.publishAsync(`stores/${STORE}/cmd/test.echo`, JSON.stringify({ id: 'c1' }), {
      qos: 1,
    });
    await consumer.waitFor(
      () => consumer!.messages.some((m) => m.topic.endsWith('/cmd-response/test.echo')),
      5000,
      'command response',
    );

    const res = await fetch(`${gateway.addresses().http}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/storegate_outbox_depth\{class="must_deliver"\} 0/);
    expect(text).toContain('storegate_uplink_connected 1');
  });
});
