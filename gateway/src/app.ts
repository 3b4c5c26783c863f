import { EventEmitter } from 'node:events';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type Clock, systemClock } from '../../shared/src/clock.js';
import { createLogger, type Logger } from '../../shared/src/logger.js';
import type { LoadedConfig } from './config/load.js';
import type { GpioPort } from './connectors/gpio/gpio-port.js';
import { StoregateError } from './core/errors.js';
import type { StoreEvent } from './core/events.js';
import { type AccessControl, openAccessControl } from './features/access/access-control.js';
import { AuditForwarder } from './features/access/audit-forwarder.js';
import { type BrokerFeature, createBrokerFeature } from './features/broker/feature.js';
import { CheckoutFeature } from './features/checkout/feature.js';
import { buildCloudFeatures } from './features/cloud/feature.js';
import { ColdChainFeature } from './features/coldchain/feature.js';
import { coldChainOptions } from './features/coldchain/units.js';
import type { GatewayContext } from './features/context.js';
import { DeviceHealthFeature } from './features/devices/feature.js';
import { FeatureRunner } from './features/feature-runner.js';
import { FootfallFeature } from './features/footfall/feature.js';
import { ModbusFeature } from './features/modbus/feature.js';
import { OpcuaConnectorFeature } from './features/opcua/feature.js';
import { RecordFeature } from './features/record/feature.js';
import { SerialConnectorFeature } from './features/serial/feature.js';
import { ShelfFeature } from './features/shelves/feature.js';
import { shelfDeviceCommands } from './features/shelves/wiring.js';
import { PipelineTicker } from './features/ticker/feature.js';
import { registerCoreRoutes } from './http/core-routes.js';
import { createHttpServer } from './http/server.js';
import { loadHttpTls } from './http/tls.js';
import type { DeviceRegistry } from './ports/device-registry.js';
import { DeviceStats } from './ports/device-stats.js';
import type { Feature } from './ports/feature.js';
import type { EventSink } from './ports/pipeline.js';
import { Pipeline } from './ports/pipeline.js';
import { RawForwardProcessor } from './processors/forward/raw-forward.js';
import { openSqliteDeviceRegistry } from './registry/sqlite-device-registry.js';
import { openOutbox } from './sinks/outbox/open-outbox.js';

export interface GatewayDeps {
  clock?: Clock;
  logger?: Logger;
  /** Tests may inject a sink; the gateway otherwise opens the durable outbox in data_dir. */
  events?: EventSink;
  registry?: DeviceRegistry;
  /** GPIO for doors wired to pins (tests inject the fake port); default: the configured driver. */
  gpio?: GpioPort;
}

export interface Gateway {
  readonly context: GatewayContext;
  /** Users, API tokens and sessions (what `storegate user`/`token` manage), for the demo and tests. */
  readonly access: AccessControl;
  readonly features: readonly Feature[];
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  /** Ports actually bound (after start), for tests and the demo banner. */
  addresses(): Record<string, string>;
  /** Features that failed to start or report a problem (what /healthz shows). */
  problems(): Record<string, string>;
}

/**
 * Build the gateway from a frozen config. No I/O happens at import; opening the registry and the outbox
 * happens here, everything else in start() (features in order; stop() runs them in reverse).
 */
export async function buildGateway(config: LoadedConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  // Owner-only: registry, outbox and sessions are credentials and customer data (files inherit umask 077).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const clock = deps.clock ?? systemClock();
  const logger = deps.logger ?? createLogger({ level: config.log.level });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'storegate_process_' });
  const tls = config.http.tls
    ? await loadHttpTls(config.http.tls, config.dataDir, clock, config.http.allowed_hosts)
    : undefined;
  if (tls) {
    logger.info(
      { cert: tls.certFile, fingerprint_sha256: tls.fingerprint256, generated: tls.generated },
      'http tls: pin this certificate fingerprint in clients',
    );
  }
  const http = createHttpServer(logger, tls);
  const live = new EventEmitter<{ events: [readonly StoreEvent[]] }>();
  live.setMaxListeners(100);
  // Before any route: every route registered later is behind the auth hook.
  const access = openAccessControl({ config, clock, logger, metrics, http });

  const registry = deps.registry ?? openSqliteDeviceRegistry(join(config.dataDir, 'registry.db'), { clock });
  const events = deps.events ?? (await openOutbox(config, { clock, logger, metrics }));
  const pipeline = new Pipeline(events, {
    onEvents: (evs) => live.emit('events', evs),
    onProcessorError: (name, error) => logger.error({ err: error, processor: name }, 'processor failed'),
    idScope: config.store.id,
  });
  const context: GatewayContext = {
    config,
    clock,
    logger,
    metrics,
    registry,
    deviceStats: new DeviceStats(),
    pipeline,
    events,
    live,
    http,
    audit: access.audit,
  };
  const runner = new FeatureRunner(buildFeatures(context, pipeline, deps, access), logger, metrics);
  registerCoreRoutes(http, {
    storeId: config.store.id,
    dataDir: config.dataDir,
    clock,
    metrics,
    metricsPublic: config.http.metrics_public,
    problems: () => runner.problems(),
  });
  const addresses: Record<string, string> = {};

  return {
    context,
    access,
    features: runner.features,
    addresses: () => ({ ...addresses }),
    problems: () => runner.problems(),
    async start() {
      await runner.start();
      addresses.http = await listen(context);
      const broker = runner.features.find((f): f is BrokerFeature => f.name === 'broker');
      for (const [name, a] of Object.entries(broker?.addresses() ?? {})) {
        addresses[`mqtt_${name}`] =
          `${name === 'tls' ? 'mqtts' : name === 'ws' ? 'ws' : 'mqtt'}://${a.address}:${a.port}`;
      }
      const problems = runner.problems();
      logger.info({ addresses, ...(Object.keys(problems).length ? { problems } : {}) }, 'storegate started');
    },
    async stop(reason = 'stop') {
      logger.info({ reason }, 'storegate stopping');
      await http.close();
      await runner.stop();
      registry.close();
      access.close();
    },
  };
}

async function listen(ctx: GatewayContext): Promise<string> {
  const { host, port } = ctx.config.http;
  try {
    return await ctx.http.listen({ host, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StoregateError('SG_PORT_IN_USE', `http port ${host}:${port} is already in use`, {
        hint: 'stop the other process (is a gateway already running?) or set http.port',
        cause: err,
      });
    }
    throw err;
  }
}

/** The features in start order; stop runs in reverse. */
function buildFeatures(
  ctx: GatewayContext,
  pipeline: Pipeline,
  deps: GatewayDeps,
  access: AccessControl,
): Feature[] {
  ctx.pipeline.add(new RawForwardProcessor());
  const broker = createBrokerFeature(ctx);
  const serial = new SerialConnectorFeature(ctx);
  // Lane states go retained to the embedded broker's `lanes/{id}/state`.
  const checkout = new CheckoutFeature(ctx, { broker });
  const footfall = ctx.config.footfall.enabled
    ? [new FootfallFeature(ctx, deps.gpio ? { gpio: deps.gpio } : {})]
    : [];
  return [
    // First: the outbox is closed last, after every feature that appends to it has stopped.
    ...buildCloudFeatures(ctx),
    // Stopped just before the outbox: the audit trail of the shutdown itself is still forwarded.
    new AuditForwarder(ctx, access.audit),
    new PipelineTicker(pipeline, ctx.clock, ctx.logger),
    // Before any connector: a recording holds every reading the processors see.
    new RecordFeature(ctx, { laneOf: (device) => checkout.laneOf(device) }),
    new DeviceHealthFeature(ctx),
    new ShelfFeature(ctx, { deviceCommands: shelfDeviceCommands(ctx, serial, broker) }),
    ...footfall,
    ...(coldChainOptions(ctx.config).units.length > 0 ? [new ColdChainFeature(ctx)] : []),
    // After the outbox and health (stopped before them): device ingest ends before its sinks close.
    broker,
    serial,
    new OpcuaConnectorFeature(ctx),
    new ModbusFeature(ctx),
    checkout,
  ];
}
