import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const child = join(here, 'flood-child.mjs');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The child runs the built JS; rebuild when the broker or connector sources are newer than dist. */
function ensureBuilt(): void {
  const built = join(root, 'dist/gateway/src/features/broker/feature.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {}
  const sources = Math.max(
    newestMtime(join(root, 'gateway/src/broker')),
    newestMtime(join(root, 'gateway/src/connectors')),
  );
  if (builtAt >= sources) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  expect(statSync(built).mtimeMs).toBeGreaterThanOrEqual(sources);
}

function flood(mode: string, rounds: number, publishers: number, perPublisher: number) {
  const r = spawnSync(
    process.execPath,
    [child, mode, String(rounds), String(publishers), String(perPublisher)],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
    },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, stderr: r.stderr, result: line.startsWith('{') ? JSON.parse(line) : null };
}

describe('QoS 0 flood followed by a forced close (aedes 1.2.0 stack overflow)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('never takes the gateway broker down, run after run', () => {
    for (let run = 0; run < 3; run++) {
      const { status, stderr, result } = flood('guarded', 5, 100, 2000);
      expect(stderr).not.toMatch(/RangeError/);
      expect(status).toBe(0);
      expect(result.survived).toBe(true);
      expect(result.published).toBeGreaterThan(10_000);
    }
  }, 120_000);

  it('the same bare broker with only `concurrency: 0` survives', () => {
    const { status, stderr } = flood('bare-unqueued', 5, 100, 2000);
    expect(stderr).not.toMatch(/RangeError/);
    expect(status).toBe(0);
  }, 120_000);
});
