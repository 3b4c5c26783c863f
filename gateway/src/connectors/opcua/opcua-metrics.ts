import { Counter, Gauge, type Registry } from 'prom-client';
import type { Quality } from '../../../../shared/src/readings.js';

/** Why an OPC UA operation failed; a label value, so keep the set small and stable. */
export type OpcuaErrorKind =
  | 'connect'
  | 'session'
  | 'subscription'
  | 'monitor'
  | 'ingest'
  | 'stop'
  | 'recovery'
  | 'request_rate';

/** Why a node-opcua client was discarded and a fresh one built; a label value. */
export type RebuildReason =
  | 'connect_failed'
  | 'build_failed'
  | 'stalled'
  | 'silent'
  | 'request_rate'
  | 'endless_republish'
  | 'library_gave_up';

export interface OpcuaMetrics {
  connected(endpoint: string, up: boolean): void;
  dataChange(endpoint: string, quality: Quality): void;
  error(endpoint: string, kind: OpcuaErrorKind): void;
  reconnect(endpoint: string): void;
  subscribed(endpoint: string, monitoredItems: number, created: boolean): void;
  request(endpoint: string): void;
  rebuilt(endpoint: string, reason: RebuildReason): void;
}

/** Prometheus metrics for the OPC UA connector, registered on the gateway's registry (one set per registry). */
export function createOpcuaMetrics(registry: Registry): OpcuaMetrics {
  const connected = new Gauge({
    name: 'storegate_opcua_connected',
    help: '1 while the OPC UA endpoint has a session with a live subscription, else 0',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const changes = new Counter({
    name: 'storegate_opcua_data_changes_total',
    help: 'OPC UA data change notifications turned into plant.value readings, by quality',
    labelNames: ['endpoint', 'quality'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'storegate_opcua_errors_total',
    help: 'OPC UA connector errors by kind (connect, session, subscription, monitor, ingest, stop, recovery, request_rate)',
    labelNames: ['endpoint', 'kind'],
    registers: [registry],
  });
  const reconnects = new Counter({
    name: 'storegate_opcua_subscriptions_created_total',
    help: 'Subscriptions created per endpoint (1 at start, +1 per re-creation after a connection or session loss)',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const items = new Gauge({
    name: 'storegate_opcua_monitored_items',
    help: 'Monitored items the server accepted in the current subscription',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const lost = new Counter({
    name: 'storegate_opcua_connection_losses_total',
    help: 'Connection or session losses per endpoint',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'storegate_opcua_requests_total',
    help: 'OPC UA service requests sent to the endpoint (rate() of it is what the PLC sees)',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const rebuilds = new Counter({
    name: 'storegate_opcua_client_rebuilds_total',
    help: 'node-opcua clients discarded and rebuilt, by reason (connect_failed, build_failed, stalled, silent, request_rate, endless_republish, library_gave_up)',
    labelNames: ['endpoint', 'reason'],
    registers: [registry],
  });
  return {
    request: (endpoint) => requests.inc({ endpoint }),
    rebuilt: (endpoint, reason) => rebuilds.inc({ endpoint, reason }),
    connected: (endpoint, up) => connected.set({ endpoint }, up ? 1 : 0),
    dataChange: (endpoint, quality) => changes.inc({ endpoint, quality }),
    error: (endpoint, kind) => errors.inc({ endpoint, kind }),
    reconnect: (endpoint) => lost.inc({ endpoint }),
    subscribed: (endpoint, monitoredItems, created) => {
      if (created) reconnects.inc({ endpoint });
      items.set({ endpoint }, monitoredItems);
    },
  };
}
