// Child process for flood.test.ts: a QoS 0 flood from many authenticated publishers that are then force-closed
// (TCP reset), repeated. Run in a child so a stack overflow (which kills the process) is observable.
//   node flood-child.mjs <guarded|bare> <rounds> <publishers> <messagesPerPublisher>
// guarded: the gateway's broker feature (built JS in dist/); bare: aedes 1.2.0 with default options;
// bare-unqueued: bare aedes with `concurrency: 0`, the one option the gateway changes against this crash.
// Prints one JSON line with what was published; exits non-zero if the broker process crashed.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const mqttPacket = require('mqtt-packet');
const [mode = 'guarded', rounds = '5', publishers = '100', perPublisher = '2000'] = process.argv.slice(2);

async function startGuarded() {
  const dist = (p) => import(join(root, 'dist', p));
  const { createBrokerFeature } = await dist('gateway/src/features/broker/feature.js');
  const { parseConfig } = await dist('gateway/src/config/load.js');
  const { Pipeline } = await dist('gateway/src/ports/pipeline.js');
  const { MemoryEventSink } = await dist('gateway/src/ports/pipeline.js');
  const { DeviceStats } = await dist('gateway/src/ports/device-stats.js');
  const { systemClock } = await dist('shared/src/clock.js');
  const { Registry } = require('prom-client');
  const pino = require('pino');
  const Fastify = require('fastify');
  const limits = { max_publishes_per_second: 1e6, publish_burst: 1e6, max_connections: 10_000 };
  const config = parseConfig(
    { data_dir: '/tmp', broker: { host: '127.0.0.1', port: 0, limits } },
    { env: {} },
  );
  // every flooder is a registered shelf; the secret check itself is covered by auth.test.ts
  const registry = {
    get: (id) => ({
      id,
      kind: 'shelf',
      location: {},
      labels: {},
      createdAt: 0,
      lastSeenAt: null,
      firmware: null,
    }),
    verifySecret: async (_id, secret) => secret === 'flood',
    secretChangedAt: () => 0,
    touch() {},
    list: () => [],
    close() {},
  };
  const sink = new MemoryEventSink();
  const ctx = {
    config,
    clock: systemClock(),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    registry,
    deviceStats: new DeviceStats(),
    pipeline: new Pipeline(sink),
    events: sink,
    live: new EventEmitter(),
    http: Fastify(),
  };
  const feature = createBrokerFeature(ctx);
  await feature.start();
  return { aedes: feature.aedes, port: feature.port() };
}

async function startBare(options) {
  const { Aedes } = await import(join(root, 'node_modules/aedes/aedes.js'));
  const aedes = await Aedes.createBroker(options);
  const server = net.createServer(aedes.handle);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { aedes, port: server.address().port };
}

const starters = {
  guarded: startGuarded,
  bare: () => startBare({}),
  // the same bare broker with only the guard applied: no mqemitter queue
  'bare-unqueued': () => startBare({ concurrency: 0 }),
};
const { aedes, port } = await starters[mode]();
let published = 0;
aedes.on('publish', (packet) => {
  if (packet.topic.startsWith('devices/')) published++;
});
const shelf = Buffer.from('{"channel":0,"grams":12.5}');
const status = Buffer.from('{"uptime_s":1}');

for (let round = 0; round < Number(rounds); round++) {
  // a live-feed style subscriber with asynchronous delivery, dropped at the forced close like a client would be
  const deliver = (_packet, cb) => setImmediate(cb);
  await new Promise((r) => aedes.subscribe('devices/+/shelf', deliver, r));
  const sockets = [];
  for (let c = 0; c < Number(publishers); c++) {
    const id = `flood-${round}-${c}`;
    const frames = [];
    for (let i = 0; i < Number(perPublisher); i++) {
      // a short burst the subscriber matches, then a long run nobody subscribes to
      const topic = i < 150 ? `devices/${id}/shelf` : `devices/${id}/status`;
      frames.push(mqttPacket.generate({ cmd: 'publish', topic, payload: i < 150 ? shelf : status, qos: 0 }));
    }
    const connect = { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60 };
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () =>
      socket.write(
        mqttPacket.generate({ ...connect, clientId: id, username: id, password: Buffer.from('flood') }),
      ),
    );
    socket.once('data', () => socket.write(Buffer.concat(frames)));
    sockets.push(socket);
  }
  // Close while a backlog is queued, but only after the flood has really reached the broker: waiting on a
  // count (not a fixed delay) keeps the pattern the same on a loaded machine, where fewer messages arrive per ms.
  const target = published + 2_500;
  const deadline = Date.now() + 30_000;
  while (published < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, Math.random() * 100));
  aedes.unsubscribe('devices/+/shelf', deliver, () => {});
  for (const s of sockets) s.resetAndDestroy();
  await new Promise((r) => setTimeout(r, 200));
}
console.log(JSON.stringify({ mode, survived: true, published }));
process.exit(0);
