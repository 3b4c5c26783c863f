import QRCode from 'qrcode';
import { mqttSettings, type ProvisioningPayload, provisioningPayload } from '../../cli/qr.js';
import type { LoadedConfig } from '../../config/load.js';
import type { DeviceRecord, DeviceRegistry, NewDevice } from '../../ports/device-registry.js';

/** A device just registered, with the one-time secret and what it needs to connect. */
export interface ProvisionedDevice {
  device: DeviceRecord;
  secret: string;
  payload: ProvisioningPayload;
  mqtt: ReturnType<typeof mqttSettings>;
}

/**
 * Register one device and build its provisioning facts: the core of `storegate device add`, `device import`,
 * `POST /api/devices` and `POST /api/devices/import` alike. Throws SG_DEVICE_EXISTS / SG_BAD_ARGUMENT.
 */
export function provisionDevice(
  registry: Pick<DeviceRegistry, 'add'>,
  config: LoadedConfig,
  input: NewDevice,
  brokerUrl?: string,
): ProvisionedDevice {
  const { device, secret } = registry.add(input);
  return credentialsOf(config, device, secret, brokerUrl);
}

/** The provisioning facts for a secret just generated (add or rotate-secret). */
export function credentialsOf(
  config: LoadedConfig,
  device: DeviceRecord,
  secret: string,
  brokerUrl?: string,
): ProvisionedDevice {
  const payload = provisioningPayload(config, device.id, secret, brokerUrl);
  return {
    device,
    secret,
    payload,
    mqtt: mqttSettings(payload, device.kind, config.broker.limits.max_keepalive_s),
  };
}

/** The provisioning QR code as a PNG data URL (for an `<img>`), from the same payload the CLI prints. */
export function qrPngDataUrl(payload: ProvisioningPayload): Promise<string> {
  return QRCode.toDataURL(JSON.stringify(payload), { errorCorrectionLevel: 'M', margin: 2, scale: 4 });
}
