import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LoadedConfig } from '../config/load.js';

export interface ProbeAnswer {
  status: number;
  body: string;
}

/** The running gateway as seen from its own machine: public `/healthz` and loopback-only `/metrics`. */
export interface GatewayProbe {
  get(path: '/healthz' | '/metrics'): Promise<ProbeAnswer | null>;
}

/**
 * Probe over loopback at the configured port. With http.tls the certificate is not verified: the probe reads
 * only what `/healthz` tells anyone and what `/metrics` tells loopback, and it never sends a credential.
 */
export function loopbackProbe(config: Pick<LoadedConfig, 'http'>, timeoutMs = 5_000): GatewayProbe {
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  const tls = config.http.tls !== undefined;
  return {
    get: (path) =>
      new Promise((resolve) => {
        const req = (tls ? httpsRequest : httpRequest)(
          {
            host,
            port: config.http.port,
            path,
            method: 'GET',
            timeout: timeoutMs,
            rejectUnauthorized: false,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            res.on('error', () => resolve(null));
          },
        );
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(null));
        req.end();
      }),
  };
}

/** Samples of one metric in Prometheus text format: labels and value per line. */
export function metricSamples(
  text: string,
  name: string,
): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const m = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

export interface Readiness {
  ready: boolean;
  /** What is still missing, for the log and the failure message. */
  why: string;
}

/** Ready: `/healthz` ok (200, no problems) and the outbox and broker features up. */
export async function readiness(probe: GatewayProbe): Promise<Readiness> {
  const health = await probe.get('/healthz');
  if (!health) return { ready: false, why: '/healthz does not answer' };
  if (health.status !== 200)
    return { ready: false, why: `/healthz answered ${health.status}: ${health.body.slice(0, 300)}` };
  const metrics = await probe.get('/metrics');
  if (metrics?.status !== 200) return { ready: false, why: '/metrics does not answer on loopback' };
  const up = metricSamples(metrics.body, 'storegate_feature_up');
  for (const feature of ['outbox', 'broker']) {
    const sample = up.find((s) => s.labels.feature === feature);
    if (sample?.value !== 1) return { ready: false, why: `feature ${feature} is not up` };
  }
  return { ready: true, why: 'healthy' };
}

export interface StoreActivity {
  /** Null when the gateway does not answer (stopped): nothing to wait for. */
  laneSessions: number | null;
  calibrationOpen: boolean;
}

/** What an upgrade must not interrupt: open lane sessions and a calibration in progress. */
export async function storeActivity(
  probe: GatewayProbe,
  nowMs: number,
  calibrationIdleMs: number,
): Promise<StoreActivity> {
  const metrics = await probe.get('/metrics');
  if (metrics?.status !== 200) return { laneSessions: null, calibrationOpen: false };
  const sessions = metricSamples(metrics.body, 'storegate_lane_sessions_open').reduce(
    (n, s) => n + s.value,
    0,
  );
  const last = Math.max(
    0,
    ...metricSamples(metrics.body, 'storegate_shelf_calibration_last_activity_seconds').map((s) => s.value),
  );
  return { laneSessions: sessions, calibrationOpen: last > 0 && nowMs - last * 1000 < calibrationIdleMs };
}
