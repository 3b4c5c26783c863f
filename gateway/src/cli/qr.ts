import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import { type DeviceKind, kindTopics, topics } from '../../../shared/src/device-contract.js';
import type { LoadedConfig } from '../config/load.js';

/**
 * What a device (or a provisioning tool scanning the QR code) needs to connect. The QR payload is compact JSON:
 * `{"v":1,"broker":"mqtt://host:port","device_id":"…","secret":"…"}`, plus `"tls":"mqtts://host:port"` and
 * `"ws":"ws://host:port/path"` when those listeners are configured.
 */
export interface ProvisioningPayload {
  v: 1;
  broker: string;
  device_id: string;
  secret: string;
  tls?: string;
  ws?: string;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** A listening on 0.0.0.0 is not an address a device can dial: use this machine's first LAN IPv4 address. */
export function advertisedHost(bindHost: string): string {
  if (!isWildcard(bindHost)) return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function brokerUrls(
  config: LoadedConfig,
  override?: string,
): { broker: string; tls?: string; ws?: string } {
  const host = advertisedHost(config.broker.host);
  const urls: { broker: string; tls?: string; ws?: string } = {
    broker: override ?? `mqtt://${host}:${config.broker.port}`,
  };
  if (config.broker.tls) urls.tls = `mqtts://${host}:${config.broker.tls.port}`;
  if (config.broker.websocket)
    urls.ws = `ws://${host}:${config.broker.websocket.port}${config.broker.websocket.path}`;
  return urls;
}

export function provisioningPayload(
  config: LoadedConfig,
  deviceId: string,
  secret: string,
  brokerUrlOverride?: string,
): ProvisioningPayload {
  return { v: 1, ...brokerUrls(config, brokerUrlOverride), device_id: deviceId, secret };
}

/** MQTT settings for the device, in wire terms (also the `mqtt` object of `--json` output). */
export function mqttSettings(payload: ProvisioningPayload, kind: DeviceKind, maxKeepaliveS: number) {
  return {
    url: payload.broker,
    client_id: payload.device_id,
    username: payload.device_id,
    password: payload.secret,
    publish_topics: kindTopics[kind].map((suffix) => topics.data(payload.device_id, suffix)),
    command_topic: topics.command(payload.device_id),
    command_response_topic: topics.commandResponse(payload.device_id),
    max_keepalive_s: maxKeepaliveS,
  };
}

/**
 * QR art for a terminal (ANSI colours, half-height blocks); piped or redirected, plain Unicode blocks without
 * escape codes, so a file or another program gets clean text.
 */
export function renderQr(text: string, tty = process.stdout.isTTY === true): Promise<string> {
  return tty
    ? QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' })
    : QRCode.toString(text, { type: 'utf8', errorCorrectionLevel: 'M' });
}
