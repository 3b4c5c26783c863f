import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';

const demo = resolve(import.meta.dirname, '../../dist/gateway/src/demo/run-demo.js');
/** Issue 15.5: "a healthy demo logs no warning in its first 5 minutes". The simulators run on wall time. */
const WATCH_MS = 5 * 60_000;

/** pino lines at warn (40) or above; the banner and other plain lines are not log lines. */
function warnings(output: string): string[] {
  return output.split('\n').filter((line) => {
    const level = /^\{"level":(\d+)/.exec(line)?.[1];
    return level !== undefined && Number(level) >= 40;
  });
}

describe('npm run demo, 5 minutes (the one long test of the suite: about 5½ minutes)', () => {
  it(
    'logs no warning, and both lanes (MQTT and serial) run shopper sessions',
    async () => {
      const [httpPort, brokerPort] = [await freePort(), await freePort()];
      const dir = mkdtempSync(join(tmpdir(), 'sg-demo-quiet-'));
      const child = spawn(process.execPath, [demo], {
        env: {
          ...process.env,
          STOREGATE_DEMO_DIR: dir,
          STOREGATE_LOG__LEVEL: 'warn',
          STOREGATE_HTTP__PORT: String(httpPort),
          STOREGATE_HTTP__HOST: '127.0.0.1',
          STOREGATE_BROKER__PORT: String(brokerPort),
          STOREGATE_BROKER__HOST: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      try {
        const startedAt = Date.now();
        while (!output.includes('Storegate demo is running') && Date.now() - startedAt < 60_000)
          await new Promise((r) => setTimeout(r, 250));
        expect(output).toContain('Storegate demo is running');
        // The banner names the exact CLI line for this demo's config.
        expect(output).toMatch(/CLI\s+node \S*bin\.js --config \S*storegate\.yaml device list/);
        const token = /API token\s+(sgt_\S+)/.exec(output)![1]!;
        // Fail early (with the line) instead of after 5 minutes.
        while (Date.now() - startedAt < WATCH_MS && warnings(output).length === 0 && child.exitCode === null)
          await new Promise((r) => setTimeout(r, 1_000));
        expect(warnings(output), output).toEqual([]);
        expect(child.exitCode).toBeNull();

        const metrics = await (
          await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).text();
        for (const lane of ['lane-1', 'lane-2']) {
          const closed = new RegExp(`storegate_lane_sessions_closed_total\\{lane="${lane}"\\} (\\d+)`).exec(
            metrics,
          );
          expect(Number(closed?.[1] ?? 0), `${lane} sessions closed`).toBeGreaterThanOrEqual(3);
        }
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited, output).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    },
    7 * 60_000,
  );
});
