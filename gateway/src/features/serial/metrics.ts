import { Counter, Gauge, type Registry } from 'prom-client';

/** Registered once per registry, so a second connector (or test) on the same registry reuses them. */
function once<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export function serialMetrics(registry: Registry) {
  return {
    readings: once(
      registry,
      'storegate_serial_readings_total',
      () =>
        new Counter({
          name: 'storegate_serial_readings_total',
          help: 'Readings decoded from serial devices',
          labelNames: ['device'] as const,
          registers: [registry],
        }),
    ),
    rejected: once(
      registry,
      'storegate_serial_rejected_total',
      () =>
        new Counter({
          name: 'storegate_serial_rejected_total',
          help: 'Frames, lines or messages refused (crc, cobs, payload, misread, sequence_gap…)',
          labelNames: ['device', 'reason'] as const,
          registers: [registry],
        }),
    ),
    reconnects: once(
      registry,
      'storegate_serial_link_down_total',
      () =>
        new Counter({
          name: 'storegate_serial_link_down_total',
          help: 'Times a serial device went offline (unplug, read error, silence, failed identify)',
          labelNames: ['device'] as const,
          registers: [registry],
        }),
    ),
    online: once(
      registry,
      'storegate_serial_device_online',
      () =>
        new Gauge({
          name: 'storegate_serial_device_online',
          help: '1 while the device is open and identified',
          labelNames: ['device'] as const,
          registers: [registry],
        }),
    ),
  };
}
