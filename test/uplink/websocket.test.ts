import { createServer, type Server } from 'node:http';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { freePort } from '../support/peers.js';
import { CloudConsumer, gatewayConfig, mdEvent, startStack, tempDir } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

/**
 * Debian's Mosquitto is built without WebSockets, so the cloud over `ws://` is a real aedes broker behind a real
 * WebSocket server (the same transport AWS IoT Core and EMQX offer on 443).
 */
async function startWsCloud(): Promise<{ url: string; close(): Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: '/mqtt' });
  wss.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req));
  const port = await freePort();
  await new Promise<void>((r) => http.listen(port, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${port}/mqtt`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

describe('uplink over MQTT-over-WebSocket', () => {
  it('delivers the backlog through a ws:// cloud URL, every event once and in order', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const cloud = await startWsCloud();
    cleanups.push(() => cloud.close());
    const consumer = await CloudConsumer.connect(cloud.url);
    cleanups.push(() => consumer.close());

    const stack = await startStack(gatewayConfig(`${tmp.dir}/gw`, { url: cloud.url }));
    cleanups.push(() => stack.stop());
    for (let n = 1; n <= 50; n++) await stack.outbox.append([mdEvent('door/ws', n)]);
    await consumer.waitFor(() => consumer.ids().size === 50, 15_000, '50 events over ws://');
    const seqs = consumer.items.filter((i) => i.stream === 'door/ws').map((i) => i.seq);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await consumer.waitFor(() => stack.outbox.totals().must_deliver.count === 0, 5_000, 'outbox drained');
  });
});
