import { Counter, type Registry } from 'prom-client';

/** A metric registered once per registry, so two features (or tests) sharing a registry never collide. */
export function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * `pendingAccepted` is counted on the hot path with a Map increment and folded into the Prometheus counter when
 * it is scraped: a labelled `inc()` per message cost about as much as validating the message.
 */
export function deviceMessageMetrics(registry: Registry, pendingAccepted: Map<string, number>) {
  registry.removeSingleMetric('storegate_device_messages_accepted_total');
  return {
    accepted: new Counter<'device'>({
      name: 'storegate_device_messages_accepted_total',
      help: 'Device messages validated and ingested, per device',
      labelNames: ['device'],
      registers: [registry],
      collect() {
        for (const [device, n] of pendingAccepted) this.labels(device).inc(n);
        pendingAccepted.clear();
      },
    }),
    rejected: counter(
      registry,
      'storegate_device_messages_rejected_total',
      'Device messages rejected, per device and reason (not_json, schema, oversize, unknown_topic, wrong_kind, image_data)',
      ['device', 'reason'],
    ),
    duplicates: counter(
      registry,
      'storegate_device_messages_duplicate_total',
      'Device resends acknowledged without being ingested again, per device and what identified them (packet_id: same session and packet id; msg_id: the device message id)',
      ['device', 'key'],
    ),
    ingestFailed: counter(
      registry,
      'storegate_device_ingest_failures_total',
      'Readings the pipeline failed to make durable (QoS 1 must-deliver: not acknowledged, the device resends)',
      ['device'],
    ),
  };
}
