import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import type { DeviceRegistry } from '../../ports/device-registry.js';
import { type CsvLineError, parseDeviceCsv } from './device-csv.js';
import { type ProvisionedDevice, provisionDevice } from './provisioning.js';

export type DeviceImportResult =
  | { ok: true; devices: ProvisionedDevice[] }
  | { ok: false; errors: CsvLineError[]; rows: number };

/**
 * `storegate device import FILE.csv` and `POST /api/devices/import`: all or nothing. Every row is checked
 * first (shape, registry rules, duplicates in the file, ids already registered); any problem → nothing is
 * registered and every bad line is reported. If registering still fails half-way (another installer added
 * the same id meanwhile), the devices added by this import are removed again and that line is reported.
 */
export function importDevicesCsv(
  registry: Pick<DeviceRegistry, 'add' | 'get' | 'remove'>,
  config: LoadedConfig,
  text: string,
  brokerUrl?: string,
): DeviceImportResult {
  const { devices, errors } = parseDeviceCsv(text);
  for (const { line, device } of devices) {
    if (registry.get(device.id)) errors.push({ line, message: `device ${device.id} is already registered` });
  }
  const rows = devices.length + errors.filter((e) => e.line > 1).length;
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line), rows };
  if (devices.length === 0) {
    throw new StoregateError('SG_BAD_ARGUMENT', 'the file has a header but no device rows');
  }
  const added: ProvisionedDevice[] = [];
  for (const { line, device } of devices) {
    try {
      added.push(provisionDevice(registry, config, device, brokerUrl));
    } catch (err) {
      for (const a of added) registry.remove(a.device.id);
      return { ok: false, errors: [{ line, message: (err as Error).message }], rows };
    }
  }
  return { ok: true, devices: added };
}
