import { execFileSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../../../shared/src/clock.js';
import { writeManifest } from '../manifest.js';
import { readSigningKey, signRelease } from '../release-signature.js';
import { buildDeb, debArch } from './deb.js';
import { copyProductionModules } from './production-modules.js';

/** What goes into a release besides dist/ and node_modules/ (paths relative to the repository). */
const RELEASE_FILES = ['package.json', 'package-lock.json', 'README.md', 'deploy', 'dashboards', 'docs'];
const DIST_TREES = ['gateway', 'shared', 'firmware-bridge'];

export interface BuiltRelease {
  version: string;
  tarball: string;
  deb: string;
  /** `<tarball>.sig`, when built with a signing key. */
  signature: string | null;
}

/**
 * `npm run release`: stage dist (without the compiled tests), the production dependencies with their native
 * addons, deploy/ and a manifest into `storegate-<version>/`, pack it as a tarball, and build the .deb from
 * the same tree. Runs after `npm run build`; the artifacts are for the architecture and Node ABI it runs on.
 */
export function buildRelease(repo: string, out: string, version?: string, signKey?: KeyObject): BuiltRelease {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
  const commit = git(repo, ['rev-parse', 'HEAD']);
  const v = version ?? `${pkg.version}+${commit.slice(0, 7)}`;
  if (!existsSync(join(repo, 'dist/gateway/src/cli/bin.js'))) throw new Error('run `npm run build` first');
  mkdirSync(out, { recursive: true });
  const stageRoot = join(out, 'stage');
  const name = `storegate-${v}`;
  const stage = join(stageRoot, name);
  rmSync(stageRoot, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const tree of DIST_TREES) {
    cpSync(join(repo, 'dist', tree), join(stage, 'dist', tree), { recursive: true });
  }
  for (const file of RELEASE_FILES) cpSync(join(repo, file), join(stage, file), { recursive: true });
  copyProductionModules(repo, stage);
  // The addons must load here, with this Node, before the release says they do.
  execFileSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: stage,
  });
  const manifest = writeManifest(stage, {
    version: v,
    commit: dirty(repo) ? `${commit}-dirty` : commit,
    built_at: new Date(systemClock().now()).toISOString(),
    node_abi: process.versions.modules,
    node_version: process.version,
    arch: process.arch,
    platform: process.platform,
  });
  const tarball = join(out, `${name}-${process.platform}-${process.arch}.tar.gz`);
  packTarball(stageRoot, name, tarball);
  const signature = signKey ? signRelease(tarball, manifest, signKey) : null;
  const deb = buildDeb(stage, v, join(out, `storegate_${v}_${debArch()}.deb`));
  rmSync(stageRoot, { recursive: true, force: true });
  return { version: v, tarball, deb, signature };
}

/** `tar` of `dir/name` with root ownership and sorted entries (what `storegate upgrade` unpacks). */
export function packTarball(dir: string, name: string, tarball: string): void {
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    dir,
    '-czf',
    tarball,
    name,
  ]);
}

function git(repo: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function dirty(repo: string): boolean {
  return git(repo, ['status', '--porcelain', '--untracked-files=no']) !== '';
}

function repoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'dist'))) return dir;
  }
  throw new Error(`no repository with dist/ above ${start}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'release' },
      version: { type: 'string' },
      'sign-key': { type: 'string' },
    },
  });
  const repo = repoRoot(import.meta.dirname);
  const keyFile = values['sign-key'] ?? process.env.SG_RELEASE_SIGN_KEY;
  const key = keyFile ? readSigningKey(keyFile) : undefined;
  const built = buildRelease(repo, resolve(values.out as string), values.version, key);
  const sig = built.signature ?? '(unsigned: --sign-key FILE or SG_RELEASE_SIGN_KEY to sign)';
  process.stdout.write(`release ${built.version}\n  ${built.tarball}\n  ${sig}\n  ${built.deb}\n`);
}
