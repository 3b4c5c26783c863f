import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { LoadedConfig } from './config/load.js';
import { type Clock, systemClock } from './core/clock.js';
import { StoregateError } from './core/errors.js';
import type { StoreEvent } from './core/events.js';
import { createLogger, type Logger } from './core/logger.js';
import { Pipeline } from './core/pipeline.js';
import { type BrokerFeature, createBrokerFeature } from './features/broker/feature.js';
import { CheckoutFeature } from './features/checkout/feature.js';
import { buildCloudFeatures } from './features/cloud/feature.js';
import type { GatewayContext } from './features/context.js';
import { createDeviceHealthFeature } from './features/devices/feature.js';
import { FootfallFeature } from './features/footfall/feature.js';
import { OpcuaConnectorFeature } from './features/opcua/feature.js';
import { SerialConnectorFeature } from './features/serial/feature.js';
import {
  mqttShelfCommands,
  routedShelfCommands,
  serialShelfCommands,
} from './features/shelves/device-commands.js';
import { ShelfFeature } from './features/shelves/feature.js';
import { PipelineTicker } from './features/ticker/feature.js';
import { CoreHttpFeature } from './http/core-routes.js';
import type { DeviceRegistry } from './ports/device-registry.js';
import { DeviceStats } from './ports/device-stats.js';
import type { Feature } from './ports/feature.js';
import type { EventSink } from './ports/pipeline.js';
import { RawForwardProcessor } from './processors/forward/raw-forward.js';
import { openSqliteDeviceRegistry } from './registry/sqlite-device-registry.js';
import { openOutbox } from './sinks/outbox/open-outbox.js';

export interface GatewayDeps {
  clock?: Clock;
  logger?: Logger;
  /** Tests may inject a sink; the gateway otherwise opens the durable outbox in data_dir. */
  events?: EventSink;
  registry?: DeviceRegistry;
}

export interface Gateway {
  readonly context: GatewayContext;
  readonly features: readonly Feature[];
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  /** Ports actually bound (after start), for tests and the demo banner. */
  addresses(): Record<string, string>;
}

/**
 * Build the gateway from a frozen config. No I/O happens at import; opening files and sockets happens here
 * (databases) and in start() (listeners, timers).
 */
export async function buildGateway(config: LoadedConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  mkdirSync(config.dataDir, { recursive: true });
  const clock = deps.clock ?? systemClock();
  const logger = deps.logger ?? createLogger({ level: config.log.level });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'storegate_process_' });
  const http: FastifyInstance = Fastify({
    loggerInstance: logger.child({ mod: 'http' }) as FastifyBaseLogger,
    // Per-request lines would flood an SD card on a busy dashboard; errors are still logged by handlers.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  const live = new EventEmitter<{ events: [readonly StoreEvent[]] }>();
  live.setMaxListeners(100);

  const registry = deps.registry ?? openSqliteDeviceRegistry(join(config.dataDir, 'registry.db'), { clock });
  const events = deps.events ?? (await openOutbox(config, { clock, logger, metrics }));
  const pipeline = new Pipeline(events, {
    onEvents: (evs) => live.emit('events', evs),
    onProcessorError: (name, error) => logger.error({ err: error, processor: name }, 'processor failed'),
  });

  const deviceStats = new DeviceStats();
  const context: GatewayContext = {
    config,
    clock,
    logger,
    metrics,
    registry,
    deviceStats,
    pipeline,
    events,
    live,
    http,
  };
  const features = buildFeatures(context);
  const started: Feature[] = [];
  const addresses: Record<string, string> = {};

  return {
    context,
    features,
    addresses: () => ({ ...addresses }),
    async start() {
      for (const feature of features) {
        await feature.start();
        started.push(feature);
      }
      addresses.http = await http.listen({ host: config.http.host, port: config.http.port });
      const broker = features.find((f): f is BrokerFeature => f.name === 'broker');
      for (const [name, a] of Object.entries(broker?.addresses() ?? {})) {
        addresses[`mqtt_${name}`] =
          `${name === 'tls' ? 'mqtts' : name === 'ws' ? 'ws' : 'mqtt'}://${a.address}:${a.port}`;
      }
      logger.info({ addresses }, 'storegate started');
    },
    async stop(reason = 'stop') {
      logger.info({ reason }, 'storegate stopping');
      await http.close();
      for (const feature of started.reverse()) {
        try {
          await feature.stop();
        } catch (err) {
          logger.error({ err, feature: feature.name }, 'feature failed to stop cleanly');
        }
      }
      started.length = 0;
      registry.close();
    },
  };
}

/** The features in start order; stop runs in reverse. */
function buildFeatures(ctx: GatewayContext): Feature[] {
  ctx.pipeline.add(new RawForwardProcessor());
  const coreHttp = new CoreHttpFeature(ctx);
  const shelves = new ShelfFeature(ctx);
  const broker = createBrokerFeature(ctx);
  const serial = new SerialConnectorFeature(ctx);
  // Shelf tare/calibrate reach serial controllers over the serial protocol, other shelves over MQTT commands.
  shelves.useDeviceCommands(
    routedShelfCommands(
      (device) => serial.devices.supervisors.has(device),
      serialShelfCommands(serial.devices),
      mqttShelfCommands((device, name, args, timeoutMs) => {
        if (!ctx.registry.get(device)) {
          throw new StoregateError('SG_DEVICE_UNKNOWN', `no shelf device ${device} (serial or MQTT)`);
        }
        if (!ctx.deviceStats.get(device)?.connected) {
          throw new StoregateError('SG_NOT_READY', `${device} is not connected to the broker`);
        }
        return broker.commands.command(device, name, args, timeoutMs);
      }),
    ),
  );
  return [
    // First: the outbox is closed last, after every feature that appends to it has stopped.
    ...buildCloudFeatures(ctx),
    coreHttp,
    new PipelineTicker(ctx.pipeline, ctx.clock, ctx.logger),
    createDeviceHealthFeature(ctx),
    shelves,
    ...(ctx.config.footfall.enabled ? [new FootfallFeature(ctx)] : []),
    // After the outbox and health (stopped before them): device ingest ends before its sinks close.
    broker,
    serial,
    new OpcuaConnectorFeature(ctx, { health: coreHttp }),
    // Lane states go retained to the embedded broker's `lanes/{id}/state`.
    new CheckoutFeature(ctx, { broker }),
  ];
}
