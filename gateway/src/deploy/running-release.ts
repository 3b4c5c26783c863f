import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InstallLayout } from './layout.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';

export interface RunningRelease {
  version: string;
  /** The commit the release was built from; null when running from a checkout. */
  commit: string | null;
  /** The manifest's build time (ISO); null when running from a checkout. */
  builtAt: string | null;
  /** Where it is installed; null when running from a checkout (no release manifest above this code). */
  layout: InstallLayout | null;
}

/**
 * Which release this code is: the manifest.json of the release directory above `fromDir` (Node runs the
 * real path, /opt/storegate/releases/<version>/…, not the `current` link), else package.json's version.
 */
export function runningRelease(fromDir: string): RunningRelease {
  let dir = realpathSync(fromDir);
  for (;;) {
    if (existsSync(join(dir, MANIFEST_FILE))) {
      const m = readManifest(dir);
      const releases = dirname(dir);
      const installed = basename(releases) === 'releases' && basename(dir) === m.version;
      const root = dirname(dirname(dirname(releases))); // <root>/opt/storegate/releases
      return {
        version: m.version,
        commit: m.commit,
        builtAt: m.built_at,
        layout: installed ? new InstallLayout(root) : null,
      };
    }
    if (existsSync(join(dir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
      if (pkg.version) return { version: pkg.version, commit: null, builtAt: null, layout: null };
    }
    const up = dirname(dir);
    if (up === dir) return { version: 'unknown', commit: null, builtAt: null, layout: null };
    dir = up;
  }
}

/** The versions installed beside the current one, newest build first. */
export function otherReleases(layout: InstallLayout, current: string): string[] {
  if (!existsSync(layout.releases)) return [];
  return readdirSync(layout.releases)
    .filter((n) => !n.startsWith('.') && n !== current && existsSync(join(layout.releases, n, MANIFEST_FILE)))
    .map((n) => ({ n, at: readManifest(join(layout.releases, n)).built_at }))
    .sort((a, b) => b.at.localeCompare(a.at))
    .map((r) => r.n);
}
