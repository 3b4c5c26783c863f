import { Counter, Gauge, type Registry } from 'prom-client';
import type { FeatureScope } from '../scope.js';

/** Modbus connector metrics, removed from the registry when the feature stops. */
export function modbusMetrics(registry: Registry, scope: FeatureScope) {
  return {
    samples: scope.metric(
      registry,
      new Counter({
        name: 'storegate_modbus_samples_total',
        help: 'Polls answered in full and turned into a reading',
        labelNames: ['device'] as const,
        registers: [registry],
      }),
    ),
    errors: scope.metric(
      registry,
      new Counter({
        name: 'storegate_modbus_errors_total',
        help: 'Failed request attempts per device and reason (timeout, crc, exception_N, bad_frame, not_connected, other)',
        labelNames: ['device', 'reason'] as const,
        registers: [registry],
      }),
    ),
    online: scope.metric(
      registry,
      new Gauge({
        name: 'storegate_modbus_device_online',
        help: '1 while the slave answers its polls',
        labelNames: ['device'] as const,
        registers: [registry],
      }),
    ),
    link: scope.metric(
      registry,
      new Gauge({
        name: 'storegate_modbus_link_up',
        help: '1 while the bus link (serial adapter or TCP connection) is open',
        labelNames: ['bus'] as const,
        registers: [registry],
      }),
    ),
    writes: scope.metric(
      registry,
      new Counter({
        name: 'storegate_modbus_setpoint_writes_total',
        help: 'Setpoint writes by result (ok, rejected: out of range or unknown, failed: on the wire)',
        labelNames: ['device', 'result'] as const,
        registers: [registry],
      }),
    ),
  };
}

export type ModbusMetrics = ReturnType<typeof modbusMetrics>;
