import type { OPCUACertificateManager } from 'node-opcua';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { OpcuaEndpointConfig, OpcuaPointConfig, OpcuaSection } from '../../config/sections/opcua.js';
import type { PlantSample } from './data-value.js';
import type { ClientSettings } from './opcua-client.js';
import type { OpcuaErrorKind, RebuildReason } from './opcua-metrics.js';

export type EndpointState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface EndpointEvents {
  sample(point: OpcuaPointConfig, sample: PlantSample): void;
  state(state: EndpointState): void;
  /** Every failure, already counted by kind; `key` lets the caller throttle logs per endpoint and kind. */
  error(kind: OpcuaErrorKind, err: unknown, detail?: Record<string, unknown>): void;
  /** `created`: a new subscription (start or re-creation); false when only failed points were re-added. */
  subscribed(monitoredItems: number, failedPoints: ReadonlyMap<string, string>, created: boolean): void;
  /** One request sent to the server (by any client of this endpoint, also one being discarded). */
  request(): void;
  /** A node-opcua client was discarded and a new one will be built. */
  rebuilt(reason: RebuildReason): void;
}

export interface EndpointOptions {
  endpoint: OpcuaEndpointConfig;
  settings: ClientSettings & Pick<OpcuaSection, 'stop_timeout_ms' | 'max_requests_per_s'>;
  certificateManager: OPCUACertificateManager;
  clock: Clock;
  logger: Logger;
  events: EndpointEvents;
}
