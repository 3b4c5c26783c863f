import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoregateError } from '../../gateway/src/core/errors.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { CloudConsumer, gatewayConfig, mdEvent, STORE, type Stack, startStack, tempDir } from './harness.js';

const PREFIX = `stores/${STORE}`;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'gateway', 'src', 'cli', 'bin.js');
let broker: Mosquitto;
let consumer: CloudConsumer;
let stack: Stack;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir();
  broker = await startMosquitto();
  consumer = await CloudConsumer.connect(broker.url, [`${PREFIX}/cmd-response/#`, `${PREFIX}/status`]);
  stack = await startStack(gatewayConfig(tmp.dir, { url: broker.url }), {
    devices: () => [
      {
        id: 'scale-1',
        kind: 'scale',
        location: { lane: '1' },
        labels: {},
        createdAt: 1,
        lastSeenAt: 2,
        firmware: '1.0',
      },
    ],
  });
  await consumer.waitFor(() => stack.uplink.isConnected(), 10_000, 'uplink connected');
  // Let the command subscription settle before the first request.
  await new Promise((r) => setTimeout(r, 200));
});

afterAll(async () => {
  await stack?.stop();
  await consumer?.close();
  await broker?.dispose();
  tmp?.cleanup();
});

let nextId = 0;
async function call(name: string, payload: string | object): Promise<Record<string, unknown>> {
  const before = consumer.messages.length;
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  await consumer.mqtt.publishAsync(`${PREFIX}/cmd/${name}`, body, { qos: 1 });
  const topic = `${PREFIX}/cmd-response/${name}`;
  await consumer.waitFor(
    () => consumer.messages.slice(before).some((m) => m.topic === topic),
    5000,
    `${name} response`,
  );
  return JSON.parse(consumer.messages.slice(before).find((m) => m.topic === topic)!.payload);
}
const id = () => `req-${++nextId}`;

describe('6. downlink commands over the cloud connection', () => {
  it('answers ping, status, device.list and outbox.status', async () => {
    expect(await call('ping', { id: 'p1' })).toMatchObject({ id: 'p1', status: 'ok', data: { pong: true } });
    const status = await call('status', { id: 's1' });
    expect(status).toMatchObject({
      id: 's1',
      status: 'ok',
      data: { store: { id: STORE }, uplink: { connected: true } },
    });
    expect((status.data as { commands: string[] }).commands).toEqual([
      'device.list',
      'outbox.status',
      'ping',
      'status',
    ]);
    expect(await call('device.list', { id: 'd1', args: {} })).toEqual({
      id: 'd1',
      status: 'ok',
      data: {
        devices: [
          {
            id: 'scale-1',
            kind: 'scale',
            location: { lane: '1' },
            labels: {},
            created_at: 1,
            last_seen_at: 2,
            firmware: '1.0',
          },
        ],
      },
    });
    const ob = await call('outbox.status', { id: id() });
    expect(ob).toMatchObject({
      status: 'ok',
      data: { depth: { must_deliver: 0 }, watermark: 'ok', uplink: { connected: true } },
    });
  });

  it('answers malformed and unknown requests with errors, and keeps serving', async () => {
    expect(await call('ping', 'not json{')).toMatchObject({
      id: null,
      status: 'error',
      error: { code: 'bad_request' },
    });
    expect(await call('ping', { args: {} })).toMatchObject({
      id: null,
      status: 'error',
      error: { code: 'bad_request' },
    });
    expect(await call('ping', [1, 2])).toMatchObject({
      id: null,
      status: 'error',
      error: { code: 'bad_request' },
    });
    expect(await call('ping', { id: 'x', args: [1] })).toMatchObject({ id: 'x', status: 'error' });
    expect(await call('self.destruct', { id: 'u1' })).toMatchObject({
      id: 'u1',
      status: 'error',
      error: { code: 'unknown_command' },
    });
    expect(await call('ping', { id: 'after' })).toMatchObject({ id: 'after', status: 'ok' });
    const metrics = await stack.metrics.metrics();
    expect(metrics).toMatch(/storegate_uplink_commands_total\{command="unknown",status="error"\} 1/);
  });

  it('serves commands other features register, and contains their failures', async () => {
    const off = stack.commands.register('catalog.sync', async (args) => ({ synced: args.items ?? 0 }));
    stack.commands.register('boom', () => {
      throw new Error('internal detail');
    });
    stack.commands.register('refuse', () => {
      throw new StoregateError('SG_BAD_ARGUMENT', 'lane 9 does not exist');
    });
    expect(() => stack.commands.register('catalog.sync', () => 1)).toThrow(/already registered/);
    expect(await call('catalog.sync', { id: 'c1', args: { items: 42 } })).toEqual({
      id: 'c1',
      status: 'ok',
      data: { synced: 42 },
    });
    const boom = await call('boom', { id: 'b1' });
    expect(boom).toMatchObject({ id: 'b1', status: 'error', error: { code: 'failed' } });
    expect(JSON.stringify(boom)).not.toContain('internal detail');
    expect(await call('refuse', { id: 'r1' })).toMatchObject({
      error: { message: 'SG_BAD_ARGUMENT: lane 9 does not exist' },
    });
    off();
    expect(await call('catalog.sync', { id: 'c2' })).toMatchObject({ error: { code: 'unknown_command' } });
  });

  it('publishes a retained online status and exposes uplink metrics', async () => {
    const status = consumer.messages.filter((m) => m.topic === `${PREFIX}/status`).at(-1)!;
    expect(JSON.parse(status.payload)).toMatchObject({ store: STORE, state: 'online' });
    const metrics = await stack.metrics.metrics();
    expect(metrics).toContain('storegate_uplink_connected 1');
    expect(metrics).toContain('storegate_outbox_oldest_unsent_age_seconds');
  });
});

describe('storegate outbox status', () => {
  it('reads the live outbox database while the gateway runs', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` first`);
    const dir = tempDir();
    try {
      const config = gatewayConfig(dir.dir, { url: 'mqtt://127.0.0.1:9' });
      const offline = await startStack(config);
      for (let n = 1; n <= 7; n++) await offline.outbox.append([mdEvent('door/1', n)]);
      await offline.outbox.append([{ ...mdEvent('shelf/1', 1), dataClass: 'telemetry' }]);
      const file = join(dir.dir, 'storegate.yaml');
      writeFileSync(file, `store:\n  id: ${STORE}\ndata_dir: ${dir.dir}\noutbox:\n  budget_bytes: 2097152\n`);
      const json = JSON.parse(
        execFileSync(process.execPath, [CLI, '-c', file, 'outbox', 'status', '--json'], { encoding: 'utf8' }),
      );
      expect(json).toMatchObject({
        depth: { must_deliver: 7, telemetry: 1 },
        budget_bytes: 2097152,
        watermark: 'ok',
        streams: 2,
      });
      expect(json.oldest_unsent_age_s).toBeGreaterThanOrEqual(0);
      // Offline, everything queued is recent growth: the time until the 2 MiB budget is full is finite.
      const queued = json.bytes.must_deliver + json.bytes.telemetry;
      expect(json.growth_bytes_per_s).toBeGreaterThan(0);
      expect(json.growth_bytes_per_s).toBeLessThanOrEqual(queued);
      expect(json.budget_full_eta_s).toBeGreaterThan(0);
      expect(json.budget_full_eta_s).toBeLessThanOrEqual(
        Math.ceil((2097152 - queued) / json.growth_bytes_per_s) + 1,
      );
      const text = execFileSync(process.execPath, [CLI, '-c', file, 'outbox', 'status'], {
        encoding: 'utf8',
      });
      expect(text).toMatch(/must_deliver\s+7 events/);
      expect(text).toMatch(/budget full in ~/);
      await offline.stop();
    } finally {
      dir.cleanup();
    }
  });
});
