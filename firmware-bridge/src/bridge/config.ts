import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { StoregateError } from '../../../shared/src/errors.js';
import { serialSection } from '../../../shared/src/serial-config.js';

/**
 * storegate-bridge.yaml: the same `serial` section as the gateway, plus where to publish. Each serial device
 * connects to the broker as itself (username = device id), so the gateway authorizes it like any MQTT device.
 */
export const bridgeConfigSchema = z.strictObject({
  mqtt: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?):\/\//, 'mqtt://, mqtts://, ws:// or wss:// URL'),
    ca_file: z.string().optional(),
    /** Messages kept per device while the broker is unreachable; the oldest telemetry is dropped first. */
    max_queued: z.number().int().min(10).max(1_000_000).default(10_000),
  }),
  /** device id → secret (as printed by `storegate device add`); or env STOREGATE_BRIDGE_SECRET_<ID>. */
  secrets: z.record(z.string(), z.string().min(1)).default({}),
  serial: serialSection,
  log: z
    .strictObject({ level: z.enum(['error', 'warn', 'info', 'debug']).default('info') })
    .default({ level: 'info' }),
});
export type BridgeConfig = z.output<typeof bridgeConfigSchema>;

export function envSecretName(id: string): string {
  return `STOREGATE_BRIDGE_SECRET_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function loadBridgeConfig(file: string, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const raw = parse(readFileSync(file, 'utf8')) as unknown;
  const result = bridgeConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new StoregateError(
      'SG_CONFIG_INVALID',
      `invalid bridge configuration in ${file}:\n${lines.join('\n')}`,
    );
  }
  const config = result.data;
  const missing: string[] = [];
  for (const d of config.serial.devices) {
    const fromEnv = env[envSecretName(d.id)];
    if (fromEnv) config.secrets[d.id] = fromEnv;
    if (!config.secrets[d.id]) missing.push(`${d.id} (secrets.${d.id} or ${envSecretName(d.id)})`);
  }
  if (missing.length > 0)
    throw new StoregateError('SG_CONFIG_INVALID', `no MQTT secret for: ${missing.join(', ')}`);
  return config;
}
