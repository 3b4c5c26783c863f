import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../../shared/src/logger.js';
import type { Feature } from '../ports/feature.js';

/**
 * Starts features in order and stops the started ones in reverse. A feature whose start() throws is stopped
 * again (undoing what it acquired), logged and reported degraded; the others start and run regardless, as in
 * zigbee2mqtt where one broken extension does not take the bridge down.
 */
export class FeatureRunner {
  private readonly started: Feature[] = [];
  private readonly failed = new Map<string, string>();

  constructor(
    readonly features: readonly Feature[],
    private readonly logger: Logger,
    metrics: Registry,
  ) {
    const runner = this;
    new Gauge({
      name: 'storegate_feature_up',
      help: '1 when the feature started and reports healthy, 0 when it failed to start or is degraded',
      labelNames: ['feature'],
      registers: [metrics],
      collect() {
        const problems = runner.problems();
        for (const f of runner.features) this.set({ feature: f.name }, problems[f.name] ? 0 : 1);
      },
    });
  }

  async start(): Promise<void> {
    for (const feature of this.features) {
      try {
        await feature.start();
        this.started.push(feature);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.failed.set(feature.name, `failed to start: ${message}`);
        this.logger.error({ err, feature: feature.name }, 'feature failed to start; running without it');
        await this.stopOne(feature);
      }
    }
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) await this.stopOne(this.started.pop()!);
  }

  /** Features that failed to start or report a problem now, by name. */
  problems(): Record<string, string> {
    const out: Record<string, string> = Object.fromEntries(this.failed);
    for (const f of this.started) {
      let problem: string | null = null;
      try {
        problem = f.health?.() ?? null;
      } catch (err) {
        problem = `health check failed: ${(err as Error).message}`;
      }
      if (problem) out[f.name] = problem;
    }
    return out;
  }

  private async stopOne(feature: Feature): Promise<void> {
    try {
      await feature.stop();
    } catch (err) {
      this.logger.error({ err, feature: feature.name }, 'feature failed to stop cleanly');
    }
  }
}
