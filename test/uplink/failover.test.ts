import { afterEach, describe, expect, it } from 'vitest';
import { CloudConsumer, gatewayConfig, mdEvent, startCloud, startStack, tempDir } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

/**
 * `cloud.url` as a list: two real Mosquitto brokers. With the first one down from the start the uplink
 * connects to the second; when the broker in use stops mid-stream it moves to the other, and every event
 * arrives (at least once, all seqs) across the two.
 */
describe('uplink broker failover', () => {
  it('connects to the next broker when the first is down, and fails over again when that one stops', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const a = await startCloud(cleanups);
    const b = await startCloud(cleanups);
    await a.broker.stop();

    const stack = await startStack(gatewayConfig(`${tmp.dir}/gw`, { url: [a.broker.url, b.broker.url] }));
    cleanups.push(() => stack.stop());
    for (let n = 1; n <= 20; n++) await stack.outbox.append([mdEvent('door/f', n)]);
    await b.consumer.waitFor(() => b.consumer.ids().size === 20, 20_000, '20 events on the second broker');
    expect(stack.uplink.isConnected()).toBe(true);

    // The first broker is back, the second goes away: the uplink moves back to the first.
    await a.broker.start();
    const again = await CloudConsumer.connect(a.broker.url);
    cleanups.push(() => again.close());
    await b.broker.stop();
    for (let n = 21; n <= 40; n++) await stack.outbox.append([mdEvent('door/f', n)]);
    await again.waitFor(
      () => again.items.some((i) => i.stream === 'door/f' && i.seq === 40),
      30_000,
      'events 21..40 on the first broker',
    );
    const seqs = new Set(
      [...b.consumer.items, ...again.items].filter((i) => i.stream === 'door/f').map((i) => i.seq),
    );
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await again.waitFor(() => stack.outbox.totals().must_deliver.count === 0, 10_000, 'outbox drained');
  }, 90_000);
});
