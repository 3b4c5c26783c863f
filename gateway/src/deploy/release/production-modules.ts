import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Copy the production dependencies (`npm ls --omit=dev`) of `repo` into `dest/node_modules`, with the native
 * addons exactly as they were built for this machine (and patch-package's patches applied), then drop the
 * addons' build intermediates and bundled C sources: only the `.node` files under `build/` are loaded.
 */
export function copyProductionModules(repo: string, dest: string): number {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const root = join(repo, 'node_modules');
  const paths = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(root + sep))
    .sort();
  let copied = 0;
  let last: string | null = null;
  for (const path of paths) {
    // A nested node_modules comes along with its parent package.
    if (last && path.startsWith(last + sep)) continue;
    cpSync(path, join(dest, 'node_modules', relative(root, path)), {
      recursive: true,
      verbatimSymlinks: true,
    });
    last = path;
    copied++;
  }
  pruneAddonBuilds(join(dest, 'node_modules'));
  return copied;
}

function pruneAddonBuilds(modules: string): void {
  const visit = (dir: string, depth: number) => {
    if (depth > 6 || !existsSync(dir)) return;
    if (existsSync(join(dir, 'binding.gyp'))) {
      const build = join(dir, 'build');
      if (existsSync(build)) keepOnlyAddons(build);
      rmSync(join(dir, 'deps'), { recursive: true, force: true });
    }
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.isSymbolicLink()) visit(join(dir, entry.name), depth + 1);
    }
  };
  visit(modules, 0);
}

function keepOnlyAddons(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      keepOnlyAddons(full);
      if (readdirSync(full).length === 0) rmSync(full, { recursive: true });
    } else if (!entry.name.endsWith('.node') || !statSync(full).isFile()) {
      rmSync(full, { force: true });
    }
  }
}
