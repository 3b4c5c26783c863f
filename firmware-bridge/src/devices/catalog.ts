import type { Clock } from '../../../shared/src/clock.js';
import type { SerialDeviceConfig } from '../../../shared/src/serial-config.js';
import type { SerialDriver } from '../drivers/driver.js';
import { ScannerDriver } from '../drivers/scanner-driver.js';
import { SicsScaleDriver } from '../drivers/sics-scale-driver.js';
import { StoregateDriver } from '../drivers/storegate-driver.js';
import type { Binding } from '../transport/supervisor.js';

/**
 * Serial drivers as data: how each configured `driver` is built and supervised. Adding a protocol means one
 * driver class and one entry here.
 */
interface DriverDefinition<C extends SerialDeviceConfig> {
  description: string;
  /** Whether a silent link means a dead link (a scanner is silent between scans). */
  silenceIsFailure: boolean;
  create(config: C, clock: Clock, timeouts: { identifyMs: number }): SerialDriver;
}

type ConfigOf<D extends SerialDeviceConfig['driver']> = Extract<SerialDeviceConfig, { driver: D }>;

export const driverCatalog: { [D in SerialDeviceConfig['driver']]: DriverDefinition<ConfigOf<D>> } = {
  storegate: {
    description: 'Storegate serial protocol v1 (shelf controllers, scales, door counters)',
    silenceIsFailure: true,
    create: (c, clock, t) =>
      new StoregateDriver(clock, {
        expectKind: c.kind,
        identifyTimeoutMs: t.identifyMs,
        ...(c.expect_serial ? { expectSerial: c.expect_serial } : {}),
      }),
  },
  'line-scanner': {
    description: 'ASCII line barcode scanner (CR/LF, prefix/suffix, AIM ids, GTIN check digits)',
    silenceIsFailure: false,
    create: (c, clock) =>
      new ScannerDriver(clock, { prefix: c.prefix, suffix: c.suffix, validateGtin: c.validate_gtin }),
  },
  'mt-sics': {
    description: 'Mettler Toledo MT-SICS level 0 scale polled with SI',
    silenceIsFailure: true,
    create: (c, clock, t) =>
      new SicsScaleDriver(clock, { pollMs: c.poll_ms, zeroBandG: c.zero_band_g, timeoutMs: t.identifyMs }),
  },
};

export function createDriver(config: SerialDeviceConfig, clock: Clock, identifyMs: number): SerialDriver {
  const def = driverCatalog[config.driver] as DriverDefinition<SerialDeviceConfig>;
  return def.create(config, clock, { identifyMs });
}

export function bindingOf(config: SerialDeviceConfig): Binding {
  if (config.path) return { path: config.path };
  const m = config.match!;
  return {
    match: {
      vendorId: m.vendor_id,
      productId: m.product_id,
      ...(m.serial_number ? { serialNumber: m.serial_number } : {}),
    },
  };
}

export function silenceIsFailure(config: SerialDeviceConfig): boolean {
  return driverCatalog[config.driver].silenceIsFailure;
}
