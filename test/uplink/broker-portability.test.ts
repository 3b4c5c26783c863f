import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto } from '../support/mosquitto.js';
import { type RabbitMq, startRabbitMq } from '../support/rabbitmq.js';
import {
  CloudConsumer,
  gatewayConfig,
  mdEvent,
  STORE,
  type Stack,
  startCloud,
  startStack,
  tempDir,
} from './harness.js';

/**
 * The uplink against clouds nobody here wrote: RabbitMQ's MQTT plugin (maps `.` in topics to `/`, speaks no
 * MQTT 5 in 3.10) and Mosquitto. Commands arrive under either name form; a broker that turns the gateway away
 * without a CONNACK is counted, logged and shown as the uplink's health.
 */
const PREFIX = `stores/${STORE}`;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function stackOn(url: string, cloud: Record<string, unknown> = {}): Promise<Stack> {
  const tmp = tempDir();
  cleanups.push(() => tmp.cleanup());
  const stack = await startStack(gatewayConfig(tmp.dir, { url, ...cloud }));
  cleanups.push(() => stack.stop());
  return stack;
}

async function ask(consumer: CloudConsumer, topicName: string, id: string) {
  await consumer.mqtt.publishAsync(`${PREFIX}/cmd/${topicName}`, JSON.stringify({ id }), { qos: 1 });
  await consumer.waitFor(
    () => consumer.messages.some((m) => m.topic.includes('/cmd-response/') && m.payload.includes(`"${id}"`)),
    20_000,
    `answer to ${topicName}`,
  );
  const m = consumer.messages.find(
    (x) => x.topic.includes('/cmd-response/') && x.payload.includes(`"${id}"`),
  )!;
  return { topic: m.topic, body: JSON.parse(m.payload) as { id: string; status: string; data?: unknown } };
}

async function metric(stack: Stack, name: string, labels: Record<string, string>): Promise<number> {
  const m = stack.metrics.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))
    .reduce((s, v) => s + v.value, 0);
}

describe('RabbitMQ (MQTT plugin) as the cloud', () => {
  let rabbit: RabbitMq;
  beforeAll(async () => {
    rabbit = await startRabbitMq();
  }, 180_000);
  afterAll(async () => rabbit?.dispose());

  it('delivers events and answers dotted commands although RabbitMQ turns `.` into `/`', async () => {
    const consumer = await CloudConsumer.connect(rabbit.url, [
      `${PREFIX}/events`,
      `${PREFIX}/cmd-response/#`,
    ]);
    cleanups.push(() => consumer.close());
    const stack = await stackOn(rabbit.url);
    await stack.outbox.append([mdEvent('door/1', 1), mdEvent('door/1', 2)]);
    await consumer.waitFor(() => consumer.items.length >= 2, 20_000, 'events via RabbitMQ');
    expect(consumer.items.map((i) => i.seq)).toEqual([1, 2]);

    const dotted = await ask(consumer, 'outbox.status', 'q-1');
    expect(dotted.body).toMatchObject({ id: 'q-1', status: 'ok' });
    // RabbitMQ delivered it as cmd/outbox/status; the answer went back the same way and arrives like that.
    expect(dotted.topic).toBe(`${PREFIX}/cmd-response/outbox/status`);
    const plain = await ask(consumer, 'ping', 'q-2');
    expect(plain.body).toMatchObject({ id: 'q-2', status: 'ok' });
    expect(
      await metric(stack, 'storegate_uplink_commands_total', { command: 'outbox.status', status: 'ok' }),
    ).toBe(1);
  }, 60_000);

  it('an MQTT 5 connection closed without CONNACK is counted, logged and shown as unhealthy', async () => {
    const stack = await stackOn(rabbit.url, {
      protocol_version: 5,
      reconnect_min_ms: 50,
      reconnect_max_ms: 200,
    });
    await expect
      .poll(
        () => metric(stack, 'storegate_uplink_connect_failures_total', { reason: 'closed_without_connack' }),
        {
          timeout: 30_000,
          interval: 100,
        },
      )
      .toBeGreaterThanOrEqual(3);
    expect(stack.uplink.isConnected()).toBe(false);
    expect(stack.uplink.health()).toMatch(
      /turned the connection away \d+ times in a row: closed_without_connack/,
    );
  }, 60_000);
});

describe('Mosquitto as the cloud', () => {
  it('answers a command under both name forms, each on the topic form it came in', async () => {
    const { broker, consumer } = await startCloud(cleanups);
    await stackOn(broker.url);
    await consumer.waitFor(
      () => consumer.messages.some((m) => m.topic === `${PREFIX}/status` && m.payload.includes('online')),
      20_000,
      'birth',
    );
    const dotted = await ask(consumer, 'outbox.status', 'm-1');
    expect(dotted).toMatchObject({ topic: `${PREFIX}/cmd-response/outbox.status`, body: { status: 'ok' } });
    const slashed = await ask(consumer, 'outbox/status', 'm-2');
    expect(slashed).toMatchObject({ topic: `${PREFIX}/cmd-response/outbox/status`, body: { status: 'ok' } });
    const unknown = await ask(consumer, 'no/such', 'm-3');
    expect(unknown.body).toMatchObject({ status: 'error', error: { code: 'unknown_command' } });
  });

  it('a refused login is counted as refused and shown as unhealthy', async () => {
    const broker = await startMosquitto({ auth: { username: 'cloud', password: 'right' } });
    cleanups.push(() => broker.dispose());
    const stack = await stackOn(broker.url, {
      username: 'cloud',
      password: 'wrong',
      reconnect_min_ms: 50,
      reconnect_max_ms: 200,
    });
    await expect
      .poll(() => metric(stack, 'storegate_uplink_connect_failures_total', { reason: 'refused' }), {
        timeout: 30_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(3);
    expect(stack.uplink.health()).toMatch(/refused \(CONNACK/);
  });

  it('the next birth after a lost link says since when the gateway was offline; the will says when it connected', async () => {
    const { broker, consumer } = await startCloud(cleanups);
    await stackOn(broker.url);
    const births = () =>
      consumer.messages
        .filter((m) => m.topic === `${PREFIX}/status`)
        .map((m) => JSON.parse(m.payload) as Record<string, unknown>)
        .filter((p) => p.state === 'online');
    await consumer.waitFor(() => births().length >= 1, 20_000, 'first birth');
    expect(births()[0]!.offline_since).toBeUndefined();
    const before = Date.now();
    await broker.restart();
    await consumer.waitFor(() => births().length >= 2, 30_000, 'second birth');
    const second = births()[1]!;
    expect(second.offline_since).toBeGreaterThanOrEqual(before - 1_000);
    expect(second.offline_since as number).toBeLessThanOrEqual(second.at as number);
  });
});
