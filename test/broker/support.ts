import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { ConfigInput } from '../../gateway/src/config/schema.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { type BrokerFeature, createBrokerFeature } from '../../gateway/src/features/broker/feature.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import type { DeviceLocation } from '../../gateway/src/ports/device-registry.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { type EventSink, MemoryEventSink, Pipeline } from '../../gateway/src/ports/pipeline.js';
import { RawForwardProcessor } from '../../gateway/src/processors/forward/raw-forward.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { type Clock, systemClock } from '../../shared/src/clock.js';
import type { DeviceKind } from '../../shared/src/device-contract.js';

export interface TestBroker {
  ctx: GatewayContext;
  broker: BrokerFeature;
  sink: EventSink;
  url: string;
  addDevice(id: string, kind: DeviceKind, location?: DeviceLocation): string;
  connect(id: string, secret: string | undefined, options?: IClientOptions): MqttClient;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface TestBrokerOptions {
  broker?: NonNullable<ConfigInput['broker']>;
  /** Other config sections (e.g. `health.check_interval_ms`). */
  config?: Omit<ConfigInput, 'broker' | 'data_dir'>;
  sink?: EventSink;
  clock?: Clock;
  logLevel?: string;
}

/**
 * A real broker feature on an ephemeral port with a real SQLite registry in a temp dir, a pipeline that forwards
 * must-deliver readings to `sink` (memory by default), and its own prom-client registry.
 */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-broker-'));
  const config = parseConfig(
    { ...options.config, data_dir: dir, broker: { host: '127.0.0.1', port: 0, ...options.broker } },
    { env: {}, baseDir: dir },
  );
  const clock = options.clock ?? systemClock();
  const logger = pino({ level: options.logLevel ?? 'silent' });
  const sink = options.sink ?? new MemoryEventSink();
  const registry = openSqliteDeviceRegistry(join(dir, 'registry.db'), { clock });
  const pipeline = new Pipeline(sink, { idScope: 'store-test' }).with(new RawForwardProcessor());
  const ctx: GatewayContext = {
    config,
    clock,
    logger,
    metrics: new Registry(),
    registry,
    deviceStats: new DeviceStats(),
    pipeline,
    events: sink,
    live: new EventEmitter<{ events: [readonly StoreEvent[]] }>(),
    http: Fastify() as unknown as FastifyInstance,
    audit: new MemoryAuditLog(),
  };
  const broker = createBrokerFeature(ctx);
  await broker.start();
  const url = `mqtt://127.0.0.1:${broker.port()}`;
  const clients = new Set<MqttClient>();
  return {
    ctx,
    broker,
    sink,
    url,
    addDevice(id, kind, location) {
      return registry.add({ id, kind, ...(location ? { location } : {}) }).secret;
    },
    connect(id, secret, opts = {}) {
      const client = mqtt.connect(url, {
        clientId: id,
        ...(secret !== undefined ? { username: id, password: secret } : {}),
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...opts,
      });
      client.on('error', () => {});
      clients.add(client);
      return client;
    },
    async metric(name, labels = {}) {
      const m = ctx.metrics.getSingleMetric(name);
      if (!m) return 0;
      const { values } = await m.get();
      return values
        .filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))
        .reduce((sum, v) => sum + v.value, 0);
    },
    async close() {
      for (const c of clients) c.end(true);
      await broker.stop();
      await ctx.http.close();
      registry.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves on CONNACK success, rejects with the refusal (CONNACK code) or a close without CONNACK. */
export function connected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (err) => reject(err));
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
