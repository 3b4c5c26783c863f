import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const biome = join(root, 'node_modules/.bin/biome');
const fixture = readFileSync(join(import.meta.dirname, 'fixtures/wallclock-calls.ts'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'sg-wallclock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The lines of the fixture marked `// reported`, 1-based. */
const marked = fixture.split('\n').flatMap((line, i) => (line.includes('// reported') ? [i + 1] : []));

/**
 * Lints the fixture placed at `path` in a throw-away tree with the repository's own biome.json and
 * .biome/ plugins (what `npm run lint` uses); returns the exit status and the lines the plugin reported.
 */
function lintAt(path: string): { status: number | null; reported: number[]; output: string } {
  const dir = mkdtempSync(join(work, 'tree-'));
  cpSync(join(root, 'biome.json'), join(dir, 'biome.json'));
  cpSync(join(root, '.biome'), join(dir, '.biome'), { recursive: true });
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), fixture);
  const run = spawnSync(biome, ['lint', '--colors=off', '--max-diagnostics=100', path], {
    cwd: dir,
    encoding: 'utf8',
  });
  const output = run.stdout + run.stderr;
  const at = new RegExp(`${path.replaceAll('.', '\\.')}:(\\d+):\\d+ plugin`, 'g');
  const reported = [...output.matchAll(at)].map((m) => Number(m[1]));
  return { status: run.status, reported, output };
}

// `npm run lint` (biome check, part of `npm test`) runs the same plugin over the repository itself.
describe('the no-wallclock lint rule (.biome/no-wallclock.grit)', () => {
  it('fails on Date.now, argless new Date, bare timers and performance.now in domain code', () => {
    expect(marked.length).toBe(6);
    for (const path of [
      'gateway/src/features/probe/probe.ts',
      'shared/src/probe.ts',
      'firmware-bridge/src/probe.ts',
    ]) {
      const run = lintAt(path);
      expect(run.status, run.output).not.toBe(0);
      expect(run.reported, run.output).toEqual(marked);
    }
  });

  it('allows them in clock.ts, process entry points, demo runners, emulators and tests', () => {
    for (const path of [
      'shared/src/clock.ts',
      'gateway/src/main.ts',
      'gateway/src/cli/bin.ts',
      'gateway/src/demo/run-demo.ts',
      'firmware-bridge/src/bridge/cli.ts',
      'firmware-bridge/src/emulators/cli.ts',
      'gateway/src/features/probe/probe.test.ts',
      'test/bench/probe.bench.ts',
    ]) {
      const run = lintAt(path);
      expect(run.reported, `${path}\n${run.output}`).toEqual([]);
      expect(run.status, `${path}\n${run.output}`).toBe(0);
    }
  });
});
