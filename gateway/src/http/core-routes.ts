import type { GatewayContext } from '../features/context.js';
import type { Feature } from '../ports/feature.js';
import { registerDashboardRoutes } from './dashboard.js';

export interface HealthCheck {
  name: string;
  /** null = healthy; a string says what is wrong. */
  check(): string | null;
}

/**
 * `/healthz` (liveness + degraded features) and `/metrics` (Prometheus text format).
 * Features report degradation through `addCheck`, so one failing feature shows up here instead of crashing.
 */
export class CoreHttpFeature implements Feature {
  readonly name = 'http-core';
  private readonly checks: HealthCheck[] = [];
  private readonly startedAt: number;

  constructor(ctx: GatewayContext) {
    this.startedAt = ctx.clock.now();
    ctx.http.get('/healthz', async (_req, reply) => {
      const problems: Record<string, string> = {};
      for (const c of this.checks) {
        const problem = safeCheck(c);
        if (problem) problems[c.name] = problem;
      }
      const ok = Object.keys(problems).length === 0;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        store: ctx.config.store.id,
        uptime_s: Math.round((ctx.clock.now() - this.startedAt) / 1000),
        problems,
      });
    });
    registerDashboardRoutes(ctx.http);
    ctx.http.get('/metrics', async (_req, reply) => {
      reply.header('content-type', ctx.metrics.contentType);
      return ctx.metrics.metrics();
    });
  }

  addCheck(check: HealthCheck): void {
    this.checks.push(check);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

function safeCheck(c: HealthCheck): string | null {
  try {
    return c.check();
  } catch (err) {
    return `check failed: ${(err as Error).message}`;
  }
}
