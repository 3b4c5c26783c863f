import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');
const work = mkdtempSync(join(tmpdir(), 'sg-layering-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the repository's dependency rules over a throw-away tree laid out like gateway/src. */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(work, 'tree-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = spawnSync(depcruise, ['gateway', '--config', config, '--output-type', 'err'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

// `npm run lint:deps` (part of `npm test`) runs the same rules over the repository itself.
describe('the dependency linter (npm run lint:deps)', () => {
  it('fails on an import cycle', () => {
    const r = cruise({
      'gateway/src/core/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'gateway/src/core/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('no-circular');
  });

  it('fails when a processor reaches up into sinks, or core into config', () => {
    const r = cruise({
      'gateway/src/sinks/store.ts': 'export const save = () => 1;\n',
      'gateway/src/processors/p.ts': "import { save } from '../sinks/store.js';\nexport const p = save;\n",
      'gateway/src/config/schema.ts': 'export const schema = 1;\n',
      'gateway/src/core/c.ts': "import { schema } from '../config/schema.js';\nexport const c = schema;\n",
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('processors-are-pure');
    expect(r.output).toContain('core-is-the-bottom');
  });

  it('fails when http/ or a connector imports a feature', () => {
    const r = cruise({
      'gateway/src/features/shelves/feature.ts': 'export class ShelfFeature {}\n',
      'gateway/src/http/x.ts':
        "import { ShelfFeature } from '../features/shelves/feature.js';\nexport const x = ShelfFeature;\n",
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('only-the-app-wires-features');
  });
});
