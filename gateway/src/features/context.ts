import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { LoadedConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Pipeline } from '../core/pipeline.js';
import type { DeviceRegistry } from '../ports/device-registry.js';
import type { DeviceStats } from '../ports/device-stats.js';
import type { EventSink } from '../ports/pipeline.js';

/**
 * The one `deps` object every feature receives. No module singletons: tests build their own context.
 */
export interface GatewayContext {
  readonly config: LoadedConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly registry: DeviceRegistry;
  /** Per-device accepted/rejected counters and connection state (connectors write, health reads). */
  readonly deviceStats: DeviceStats;
  /** Connectors hand readings here; features that derive events outside a reading call `pipeline.emit`. */
  readonly pipeline: Pipeline;
  /** The durable outbox (or a memory sink in unit tests). */
  readonly events: EventSink;
  /** Derived events after they were made durable, for the live feed (WebSocket, dashboards, local MQTT). */
  readonly live: EventEmitter<{ events: [readonly import('../core/events.js').StoreEvent[]] }>;
  /** Register routes in your feature's constructor; the server listens after all features are built. */
  readonly http: FastifyInstance;
}
