import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * What `npm run release` records about a release and `storegate upgrade` / install.sh check before using one.
 * Node builtins only: it must load before the release's native addons are known to fit this Node.
 */
export interface ReleaseManifest {
  name: 'storegate';
  version: string;
  commit: string;
  built_at: string;
  /** `process.versions.modules` of the Node that built the native addons (better-sqlite3, serialport…). */
  node_abi: string;
  node_version: string;
  /** `process.arch` / `process.platform` of the build machine: the addons are built for it. */
  arch: string;
  platform: string;
  /** Every file of the release but manifest.json: `sha256:<hex>`, or `link:<target>` for a symlink. */
  files: Record<string, string>;
}

export const MANIFEST_FILE = 'manifest.json';

/** One line per problem; empty when the release directory is exactly what its manifest says. */
export interface VerifyTarget {
  abi: string;
  arch: string;
  platform: string;
}

export function currentTarget(): VerifyTarget {
  return { abi: process.versions.modules, arch: process.arch, platform: process.platform };
}

export function hashTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (rel === MANIFEST_FILE) continue;
      if (entry.isSymbolicLink()) files[rel] = `link:${readlinkSync(full)}`;
      else if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files[rel] = `sha256:${sha256File(full)}`;
    }
  };
  walk(dir);
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function writeManifest(dir: string, fields: Omit<ReleaseManifest, 'files' | 'name'>): ReleaseManifest {
  const manifest: ReleaseManifest = { name: 'storegate', ...fields, files: hashTree(dir) };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function readManifest(dir: string): ReleaseManifest {
  const file = join(dir, MANIFEST_FILE);
  let parsed: unknown;
  try {
    lstatSync(file);
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a readable release manifest (${(err as Error).message})`);
  }
  const m = parsed as Partial<ReleaseManifest>;
  for (const key of ['version', 'commit', 'node_abi', 'arch', 'platform'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') throw new Error(`${file}: "${key}" is missing`);
  }
  if (m.name !== 'storegate' || typeof m.files !== 'object' || m.files === null) {
    throw new Error(`${file}: not a storegate release manifest`);
  }
  if (!/^[0-9A-Za-z][0-9A-Za-z.+~-]*$/.test(m.version as string)) {
    throw new Error(`${file}: version "${m.version}" is not a plain version string`);
  }
  return m as ReleaseManifest;
}

/**
 * Every way `dir` differs from its manifest and from the Node that will run it: a file changed, missing or
 * not listed, or native addons built for another ABI or architecture.
 */
export function verifyRelease(dir: string, target: VerifyTarget = currentTarget()): string[] {
  let manifest: ReleaseManifest;
  try {
    manifest = readManifest(dir);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  if (manifest.node_abi !== target.abi) {
    problems.push(
      `built for Node ABI ${manifest.node_abi} (Node ${manifest.node_version}), this Node is ABI ${target.abi} (${process.version}): its native addons would not load`,
    );
  }
  if (manifest.arch !== target.arch || manifest.platform !== target.platform) {
    problems.push(
      `built for ${manifest.platform}-${manifest.arch}, this machine is ${target.platform}-${target.arch}`,
    );
  }
  const actual = hashTree(dir);
  for (const [path, want] of Object.entries(manifest.files)) {
    const got = actual[path];
    if (got === undefined) problems.push(`missing: ${path}`);
    else if (got !== want) problems.push(`changed: ${path}`);
  }
  for (const path of Object.keys(actual)) {
    if (!(path in manifest.files)) problems.push(`not in the manifest: ${path}`);
  }
  return problems;
}
