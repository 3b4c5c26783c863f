import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { IClientOptions } from 'mqtt';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';

export type CloudConfig = NonNullable<LoadedConfig['cloud']>;

/** `cloud.url` as the list of brokers to try in turn (one URL is a list of one). */
export function brokerUrls(cloud: Pick<CloudConfig, 'url'>): readonly string[] {
  return typeof cloud.url === 'string' ? [cloud.url] : cloud.url;
}

export interface CloudTopics {
  prefix: string;
  events: string;
  status: string;
  commandFilter: string;
  commandPrefix: string;
  responsePrefix: string;
}

export function cloudTopics(config: Pick<LoadedConfig, 'store' | 'cloud'>): CloudTopics {
  const raw = config.cloud?.topic_prefix ?? 'stores/{store.id}';
  const prefix = raw.replaceAll('{store.id}', config.store.id).replaceAll('{store_id}', config.store.id);
  if (/[#+]/.test(prefix) || prefix.endsWith('/') || prefix.length === 0) {
    throw new StoregateError('SG_CONFIG_INVALID', `cloud.topic_prefix "${raw}" is not a valid topic prefix`, {
      hint: 'no wildcards (+ #) and no trailing slash, e.g. stores/{store.id}',
    });
  }
  return {
    prefix,
    events: `${prefix}/events`,
    status: `${prefix}/status`,
    // `#`, not `+`: a broker mapping `.` to `/` turns `cmd/device.list` into `cmd/device/list`.
    commandFilter: `${prefix}/cmd/#`,
    commandPrefix: `${prefix}/cmd/`,
    responsePrefix: `${prefix}/cmd-response/`,
  };
}

function readPem(config: Pick<LoadedConfig, 'configFile'>, key: string, file: string): Buffer {
  const base = config.configFile ? dirname(config.configFile) : process.cwd();
  const path = isAbsolute(file) ? file : resolve(base, file);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new StoregateError(
      'SG_CONFIG_INVALID',
      `cloud.${key}: cannot read ${path}: ${(err as Error).message}`,
    );
  }
}

/**
 * `{prefix}/status`. In the last will (fixed when the connection is made) `at` and `connected_at` are the time
 * that connection was opened, not the time it was lost: see docs/outbox.md "status".
 */
export function statusPayload(
  state: 'online' | 'offline',
  storeId: string,
  at: number,
  reason?: string,
  extra: Record<string, number> = {},
): string {
  return JSON.stringify({ store: storeId, state, at, ...(reason ? { reason } : {}), ...extra });
}

/**
 * mqtt.js options for one connection attempt. Reconnects are ours (reconnectPeriod 0): mqtt.js's own
 * in-memory queue is never relied on for delivery (MQTT.js #607, #2015).
 */
export function mqttOptions(
  config: Pick<LoadedConfig, 'store' | 'configFile'> & { cloud: CloudConfig },
  topics: CloudTopics,
  now: number,
): IClientOptions {
  const c = config.cloud;
  if ((c.cert === undefined) !== (c.key === undefined)) {
    throw new StoregateError('SG_CONFIG_INVALID', 'cloud.cert and cloud.key must be set together');
  }
  return {
    clientId: c.client_id ?? `storegate-${config.store.id}`,
    protocolVersion: c.protocol_version,
    clean: true,
    keepalive: c.keepalive_s,
    connectTimeout: c.connect_timeout_ms,
    reconnectPeriod: 0,
    queueQoSZero: false,
    resubscribe: false,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.ca ? { ca: readPem(config, 'ca', c.ca) } : {}),
    ...(c.cert ? { cert: readPem(config, 'cert', c.cert) } : {}),
    ...(c.key ? { key: readPem(config, 'key', c.key) } : {}),
    rejectUnauthorized: c.reject_unauthorized,
    will: {
      topic: topics.status,
      payload: Buffer.from(
        statusPayload('offline', config.store.id, now, 'connection lost', { connected_at: now }),
      ),
      qos: 1,
      retain: true,
    },
  };
}
