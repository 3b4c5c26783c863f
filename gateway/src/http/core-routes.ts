import type { FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Clock } from '../../../shared/src/clock.js';
import { isLoopback } from './auth/host-check.js';
import { registerDashboardRoutes } from './dashboard.js';

export interface CoreRoutesDeps {
  storeId: string;
  /** Told to local callers only: the CLI warns when it works on another data_dir than the running gateway. */
  dataDir: string;
  clock: Clock;
  metrics: MetricsRegistry;
  /** `http.metrics_public`: /metrics without credentials from anywhere (default: from loopback only). */
  metricsPublic: boolean;
  /** What is wrong right now, by feature (failed to start, or its own health check); empty when healthy. */
  problems(): Record<string, string>;
}

/**
 * `/healthz` (liveness + degraded features; public), `/metrics` (Prometheus text format; loopback or any viewer,
 * or public with `http.metrics_public`) and the dashboard files (viewer).
 * One failing feature shows up here instead of taking the process down.
 */
export function registerCoreRoutes(http: FastifyInstance, deps: CoreRoutesDeps): void {
  const startedAt = deps.clock.now();
  http.get('/healthz', { config: { anonymous: 'always' } }, async (req, reply) => {
    const problems = deps.problems();
    const ok = Object.keys(problems).length === 0;
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      store: deps.storeId,
      uptime_s: Math.round((deps.clock.now() - startedAt) / 1000),
      problems,
      ...(isLoopback(req.socket.remoteAddress) ? { data_dir: deps.dataDir } : {}),
    });
  });
  registerDashboardRoutes(http);
  http.get(
    '/metrics',
    { config: { anonymous: deps.metricsPublic ? 'always' : 'loopback' } },
    async (_req, reply) => {
      reply.header('content-type', deps.metrics.contentType);
      return deps.metrics.metrics();
    },
  );
}
