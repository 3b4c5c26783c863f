import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Feature } from '../ports/feature.js';
import { FeatureRunner } from './feature-runner.js';

function feature(name: string, log: string[], opts: { failStart?: boolean; problem?: string } = {}): Feature {
  return {
    name,
    async start() {
      log.push(`start ${name}`);
      if (opts.failStart) throw new Error(`${name} broke`);
    },
    async stop() {
      log.push(`stop ${name}`);
    },
    health: () => opts.problem ?? null,
  };
}

describe('FeatureRunner', () => {
  it('starts in order, undoes a failed start at once, stops the started ones in reverse', async () => {
    const log: string[] = [];
    const runner = new FeatureRunner(
      [feature('a', log), feature('b', log, { failStart: true }), feature('c', log, { problem: 'slow' })],
      pino({ level: 'silent' }),
      new Registry(),
    );
    await runner.start();
    expect(log).toEqual(['start a', 'start b', 'stop b', 'start c']);
    expect(runner.problems()).toEqual({ b: 'failed to start: b broke', c: 'slow' });
    await runner.stop();
    expect(log.slice(4)).toEqual(['stop c', 'stop a']);
  });

  it('exports storegate_feature_up per feature', async () => {
    const metrics = new Registry();
    const runner = new FeatureRunner(
      [feature('ok', []), feature('bad', [], { failStart: true })],
      pino({ level: 'silent' }),
      metrics,
    );
    await runner.start();
    const text = await metrics.metrics();
    expect(text).toContain('storegate_feature_up{feature="ok"} 1');
    expect(text).toContain('storegate_feature_up{feature="bad"} 0');
  });
});
