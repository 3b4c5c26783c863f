import type { LoadedConfig } from '../../config/load.js';
import type { DeviceRecord } from '../../ports/device-registry.js';
import { fields, formatLabels, formatLocation, printJson, printLine } from '../output.js';
import { mqttSettings, provisioningPayload, renderQr } from '../qr.js';

/**
 * Print a freshly generated secret — the only time it is ever shown — with the MQTT settings and a QR code
 * for provisioning tools. `--json` gives the same facts (without the QR art) for scripts.
 */
export async function printCredentials(
  config: LoadedConfig,
  device: DeviceRecord,
  secret: string,
  opts: { json?: boolean; brokerUrl?: string; action: 'added' | 'rotated' },
): Promise<void> {
  const payload = provisioningPayload(config, device.id, secret, opts.brokerUrl);
  const mqtt = mqttSettings(payload, device.kind, config.broker.limits.max_keepalive_s);
  if (opts.json) {
    printJson({ device: deviceJson(device), secret, mqtt, qr_payload: JSON.stringify(payload) });
    return;
  }
  const verb =
    opts.action === 'added'
      ? 'added'
      : 'has a new secret; connections with the old one are refused from now on';
  printLine(`Device ${device.id} (${device.kind}) ${verb}.`);
  printLine(
    fields([
      ['location', formatLocation(device.location)],
      ['labels', formatLabels(device.labels)],
    ]),
  );
  printLine();
  printLine('Secret (shown only now; store it on the device, it cannot be displayed again):');
  printLine(`  ${secret}`);
  printLine();
  printLine('MQTT settings:');
  const rows: [string, string][] = [
    ['broker', payload.broker],
    ...(payload.tls ? ([['broker (TLS)', payload.tls]] as [string, string][]) : []),
    ...(payload.ws ? ([['broker (WebSocket)', payload.ws]] as [string, string][]) : []),
    ['client id', mqtt.client_id],
    ['username', mqtt.username],
    ['password', '(the secret above)'],
    ['publish to', mqtt.publish_topics.join(', ')],
    ['commands on', `${mqtt.command_topic} (answer on ${mqtt.command_response_topic})`],
    ['keepalive', `at most ${mqtt.max_keepalive_s} s`],
  ];
  printLine(fields(rows));
  printLine();
  printLine('Provisioning QR code (JSON with broker, device_id, secret):');
  printLine(await renderQr(JSON.stringify(payload)));
}

/** The wire (snake_case) form of a device record, as in `device list --json` and `GET /api/devices`. */
export function deviceJson(device: DeviceRecord) {
  return {
    id: device.id,
    kind: device.kind,
    location: device.location,
    labels: device.labels,
    created_at: device.createdAt,
    last_seen: device.lastSeenAt,
    firmware: device.firmware,
  };
}
