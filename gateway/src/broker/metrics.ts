import { Gauge, type Registry } from 'prom-client';
import { counter } from '../connectors/mqtt-devices/metrics.js';

export type BrokerRejection =
  | 'packet_too_large'
  | 'max_connections'
  | 'max_connections_per_address'
  | 'max_pending_connects'
  | 'rate_limited'
  | 'acl_publish'
  | 'acl_subscribe'
  | 'topic_levels'
  | 'connect_timeout'
  | 'keepalive'
  | 'keepalive_timeout'
  | 'drain_timeout'
  | 'protocol'
  | 'protocol_version'
  | 'ingest_failed'
  | 'device_removed'
  | 'secret_rotated';

export function brokerMetrics(
  registry: Registry,
  sample: { connections(): number; clients(): number; remembered?(): { packet_id: number; msg_id: number } },
) {
  for (const name of [
    'storegate_broker_connections',
    'storegate_broker_clients',
    'storegate_device_resend_memory_entries',
  ])
    registry.removeSingleMetric(name);
  new Gauge({
    name: 'storegate_device_resend_memory_entries',
    help: 'Entries held to recognise device resends, by key (packet_id: per client session; msg_id: per device); bounded',
    labelNames: ['key'],
    registers: [registry],
    collect() {
      const r = sample.remembered?.();
      if (!r) return;
      this.labels('packet_id').set(r.packet_id);
      this.labels('msg_id').set(r.msg_id);
    },
  });
  new Gauge({
    name: 'storegate_broker_connections',
    help: 'Open network connections to the embedded broker (all listeners, before and after CONNECT)',
    registers: [registry],
    collect() {
      this.set(sample.connections());
    },
  });
  new Gauge({
    name: 'storegate_broker_clients',
    help: 'Authenticated MQTT clients connected to the embedded broker',
    registers: [registry],
    collect() {
      this.set(sample.clients());
    },
  });
  return {
    rejections: counter<'reason'>(
      registry,
      'storegate_broker_rejections_total',
      'Connections closed or requests refused by a broker limit or ACL, by reason',
      ['reason'],
    ),
    authFailures: counter<'reason'>(
      registry,
      'storegate_broker_auth_failures_total',
      'Refused MQTT logins by reason (bad_credentials, anonymous, client_id_mismatch, client_id_taken, client_id_too_long, throttled)',
      ['reason'],
    ),
    throttleBlocks: counter<never>(
      registry,
      'storegate_broker_auth_throttle_blocks_total',
      'Remote addresses blocked after repeated failed logins',
      [],
    ),
  };
}

export type BrokerMetrics = ReturnType<typeof brokerMetrics>;

/** Map aedes' client/connection error messages to a rejection reason worth counting (null: not a limit). */
export function rejectionForError(message: string): BrokerRejection | null {
  if (message.includes('too many levels')) return 'topic_levels';
  if (message.includes('unacceptable protocol version')) return 'protocol_version';
  if (message.includes('connect did not arrive')) return 'connect_timeout';
  if (message.includes('keep alive limit')) return 'keepalive';
  if (message.includes('keep alive timeout') || message.includes('keepalive')) return 'keepalive_timeout';
  if (message.includes('drain timeout')) return 'drain_timeout';
  if (
    message.includes('Invalid protocol') ||
    message.includes('Invalid header') ||
    message.includes('Packet must')
  )
    return 'protocol';
  return null;
}
