import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { type LoadedConfig, parseConfig } from '../../gateway/src/config/load.js';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { openOutbox } from '../../gateway/src/sinks/outbox/open-outbox.js';
import type { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import { registerBuiltinCommands } from '../../gateway/src/sinks/uplink/builtin-commands.js';
import { CommandRegistry } from '../../gateway/src/sinks/uplink/commands.js';
import { Uplink } from '../../gateway/src/sinks/uplink/uplink.js';
import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';

export const STORE = 'store-7';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sg-uplink-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function gatewayConfig(
  dataDir: string,
  cloud: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return parseConfig(
    {
      store: { id: STORE },
      data_dir: dataDir,
      cloud: { reconnect_min_ms: 50, reconnect_max_ms: 400, connect_timeout_ms: 2000, ...cloud },
      ...extra,
    },
    { baseDir: dataDir },
  );
}

export interface Stack {
  outbox: Outbox;
  uplink: Uplink;
  commands: CommandRegistry;
  metrics: Registry;
  stop(): Promise<void>;
}

/** Outbox + uplink + built-in commands as the gateway wires them (features/cloud/feature.ts), without the rest. */
export async function startStack(
  config: LoadedConfig,
  opts: { freeDiskBytes?: () => number; devices?: () => unknown[] } = {},
): Promise<Stack> {
  const clock = systemClock();
  const logger = createLogger({ level: process.env.SG_TEST_LOG ?? 'silent' });
  const metrics = new Registry();
  const outbox = await openOutbox(config, {
    clock,
    logger,
    metrics,
    ...(opts.freeDiskBytes ? { freeDiskBytes: opts.freeDiskBytes } : {}),
  });
  const commands = new CommandRegistry();
  const uplink = new Uplink({
    config: { ...config, cloud: config.cloud! },
    clock,
    logger,
    outbox,
    commands,
    metrics,
  });
  const registry = {
    list: () =>
      (opts.devices?.() ?? []) as ReturnType<
        import('../../gateway/src/ports/device-registry.js').DeviceRegistry['list']
      >,
  };
  const off = registerBuiltinCommands(commands, { config, outbox, uplink, registry, startedAt: clock.now() });
  await uplink.start();
  return {
    outbox,
    uplink,
    commands,
    metrics,
    async stop() {
      await uplink.stop();
      off();
      outbox.close();
    },
  };
}

export interface ReceivedItem {
  id: string;
  seq: number;
  stream: string;
  type: string;
  t: number;
  class: string;
  data: Record<string, unknown>;
}

/** The cloud side: a persistent-session QoS 1 subscriber that records every batch item it receives. */
export class CloudConsumer {
  readonly items: ReceivedItem[] = [];
  readonly messages: Array<{ topic: string; payload: string; retain: boolean; at: number }> = [];
  private client!: MqttClient;

  static async connect(url: string, filters: string[] = [`stores/${STORE}/#`]): Promise<CloudConsumer> {
    const c = new CloudConsumer();
    c.client = mqtt.connect(url, {
      clientId: `cloud-${Math.random().toString(16).slice(2)}`,
      clean: false,
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    c.client.on('message', (topic, payload, packet) => {
      const text = payload.toString();
      c.messages.push({ topic, payload: text, retain: packet.retain, at: Date.now() });
      if (topic.endsWith('/events')) c.items.push(...(JSON.parse(text).batch as ReceivedItem[]));
    });
    await new Promise<void>((resolve, reject) => {
      c.client.once('connect', () => resolve());
      c.client.once('error', reject);
    });
    await c.client.subscribeAsync(filters, { qos: 1 });
    return c;
  }

  get mqtt(): MqttClient {
    return this.client;
  }

  /** Distinct event ids received. */
  ids(): Set<string> {
    return new Set(this.items.map((i) => i.id));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Per stream: the data.n values received (first occurrence of each id), in arrival order. */
export function arrivalsByStream(items: readonly ReceivedItem[]): Map<string, number[]> {
  const seen = new Set<string>();
  const out = new Map<string, number[]>();
  for (const i of items) {
    if (seen.has(i.id)) continue;
    seen.add(i.id);
    const list = out.get(i.stream) ?? [];
    list.push(i.seq);
    out.set(i.stream, list);
  }
  return out;
}

export function mdEvent(stream: string, n: number): EventEnvelope {
  return { type: 'door.count', t: Date.now(), stream, dataClass: 'must_deliver', data: { n } };
}

/**
 * A real Mosquitto as the cloud with the cloud consumer's persistent QoS 1 session already subscribed, so nothing
 * the gateway publishes later can be missed. Both are disposed through `cleanups`.
 */
export async function startCloud(
  cleanups: Array<() => Promise<void> | void>,
): Promise<{ broker: Mosquitto; consumer: CloudConsumer }> {
  const broker = await startMosquitto();
  cleanups.push(() => broker.dispose());
  const consumer = await CloudConsumer.connect(broker.url);
  cleanups.push(() => consumer.close());
  return { broker, consumer };
}
