import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../support/mosquitto.js';
import {
  arrivalsByStream,
  type CloudConsumer,
  gatewayConfig,
  mdEvent,
  type Stack,
  startCloud,
  startStack,
  tempDir,
} from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

function expectComplete(consumer: CloudConsumer, streams: string[], perStream: number): void {
  const byStream = arrivalsByStream(consumer.items);
  for (const s of streams) {
    // Every seq 1..n exactly once (first arrivals), in order.
    expect(byStream.get(s)).toEqual(Array.from({ length: perStream }, (_, i) => i + 1));
  }
  // Duplicates only as redeliveries of the same id with the same content.
  const byId = new Map<string, string>();
  for (const i of consumer.items) {
    const key = `${i.stream}/${i.seq}/${JSON.stringify(i.data)}`;
    expect(byId.get(i.id) ?? key).toBe(key);
    byId.set(i.id, key);
  }
}

describe('uplink against a real Mosquitto', () => {
  it('1. cloud down at start: events accumulate, then every event arrives once, in per-stream order', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    // The cloud consumer's persistent session is created first, so nothing is published before it exists.
    const { broker, consumer } = await startCloud(cleanups);
    await broker.stop('SIGTERM');

    // Small quotas, so the backlog needs many messages: each bounded in bytes, sent at a bounded rate.
    const quotas = { max_message_bytes: 4096, max_publishes_per_second: 20 };
    const stack: Stack = await startStack(gatewayConfig(tmp.dir, { url: broker.url, ...quotas }));
    cleanups.push(() => stack.stop());
    const streams = ['door/a', 'door/b', 'lane/1'];
    for (let n = 1; n <= 300; n++) await stack.outbox.append(streams.map((s) => mdEvent(s, n)));
    expect(stack.outbox.totals().must_deliver.count).toBe(900);
    expect(stack.uplink.isConnected()).toBe(false);

    await broker.start();
    await consumer.waitFor(() => consumer.ids().size === 900, 20_000, '900 events');
    await sleep(200);
    expect(consumer.items.length).toBe(900);
    expectComplete(consumer, streams, 300);
    await consumer.waitFor(() => stack.outbox.totals().must_deliver.count === 0, 5000, 'outbox drained');
    const batches = consumer.messages.filter((m) => m.topic.endsWith('/events'));
    expect(batches.length).toBeGreaterThan(20);
    for (const b of batches) expect(Buffer.byteLength(b.payload)).toBeLessThanOrEqual(4096);
    // Publish rate: in any 1 s window, at most the rate plus the burst (rate / 10) — with slack for delivery jitter.
    for (const b of batches) {
      expect(batches.filter((o) => o.at >= b.at && o.at < b.at + 1000).length).toBeLessThanOrEqual(
        20 + 2 + 2,
      );
    }
    const status = consumer.messages.filter((m) => m.topic === 'stores/store-7/status').at(-1);
    expect(JSON.parse(status!.payload)).toMatchObject({ store: 'store-7', state: 'online' });
  });

  it('2. cloud restarted several times mid-stream: nothing lost, duplicates only as same-id redeliveries', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const { broker, consumer } = await startCloud(cleanups);
    const stack = await startStack(gatewayConfig(tmp.dir, { url: broker.url, max_events_per_message: 50 }));
    cleanups.push(() => stack.stop());
    await consumer.waitFor(() => stack.uplink.isConnected(), 10_000, 'uplink connected');

    const streams = ['shelf/a', 'shelf/b'];
    const total = 1000;
    const producer = (async () => {
      for (let n = 1; n <= total; n++) await stack.outbox.append(streams.map((s) => mdEvent(s, n)));
    })();
    // SIGTERM: Mosquitto saves the messages it acknowledged (its persistence), so any loss would be ours.
    // A SIGKILLed broker loses what it had acknowledged: not something a gateway can detect or repair.
    for (let r = 0; r < 4; r++) {
      await sleep(400);
      await broker.restart('SIGTERM');
    }
    await producer;
    expect(stack.uplink.stats.reconnects).toBeGreaterThanOrEqual(4);
    await consumer
      .waitFor(() => consumer.ids().size === total * streams.length, 30_000, 'every event at the cloud')
      .catch((err) => {
        const missing = [...arrivalsByStream(consumer.items)].map(([s, l]) => [
          s,
          l.length,
          Array.from({ length: total }, (_, i) => i + 1)
            .filter((n) => !l.includes(n))
            .join(','),
        ]);
        const sent = stack.uplink.stats.eventsSent;
        throw new Error(
          `${err.message}: got ${JSON.stringify(missing)}, sent ${sent}, left ${JSON.stringify(stack.outbox.totals())}`,
        );
      });
    await consumer.waitFor(() => stack.outbox.totals().must_deliver.count === 0, 10_000, 'outbox drained');
    expectComplete(consumer, streams, total);
  });
});
