import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../config/load.js';
import type { StoreEvent } from '../core/events.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { ConnectorDeps } from '../ports/connector-deps.js';
import type { EventSink, PipelinePort } from '../ports/pipeline.js';

/**
 * The one `deps` object features receive (features are the composition roots of their domain). Connectors get
 * the narrower ConnectorDeps, processors get only their options. No module singletons: tests build their own.
 */
export interface GatewayContext extends ConnectorDeps {
  readonly config: LoadedConfig;
  /** Connectors hand readings here; features that derive events outside a reading call `pipeline.emit`. */
  readonly pipeline: PipelinePort;
  /** The durable outbox (or a memory sink in unit tests). */
  readonly events: EventSink;
  /** Derived events after they were made durable, for the live feed (WebSocket, dashboards, local MQTT). */
  readonly live: EventEmitter<{ events: [readonly StoreEvent[]] }>;
  /** Register a feature's routes in its `start()`; the server listens after every feature has started. */
  readonly http: FastifyInstance;
  /** Who did what: features record people's actions here (the HTTP layer already records every request). */
  readonly audit: AuditLog;
}
