import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StoregateError } from '../core/errors.js';
import type { InstallLayout } from './layout.js';
import { type ReleaseManifest, readManifest, type VerifyTarget, verifyRelease } from './manifest.js';

const run = promisify(execFile);

/**
 * Unpack a release tarball beside the installed releases and verify it (every file's sha256, the Node ABI and
 * architecture of its addons) before it is moved to releases/<version>. Nothing installed changes on failure.
 */
export async function unpackRelease(
  layout: InstallLayout,
  artifact: string,
  target?: VerifyTarget,
): Promise<{ version: string; dir: string }> {
  if (!existsSync(artifact)) throw new StoregateError('SG_NOT_FOUND', `no release artifact ${artifact}`);
  mkdirSync(layout.releases, { recursive: true });
  const incoming = join(layout.releases, `.incoming-${process.pid}`);
  rmSync(incoming, { recursive: true, force: true });
  mkdirSync(incoming);
  try {
    const dir = await extractVerified(artifact, incoming, target);
    const { version } = readManifest(dir);
    if (layout.currentVersion() === version) {
      throw new StoregateError('SG_CONFLICT', `release ${version} is already the current one`);
    }
    const dest = layout.release(version);
    rmSync(dest, { recursive: true, force: true });
    renameSync(dir, dest);
    return { version, dir: dest };
  } finally {
    rmSync(incoming, { recursive: true, force: true });
  }
}

/**
 * The same checks as unpackRelease without installing anything (the running gateway cannot write under /opt):
 * unpacked into a temporary directory that is removed again. Returns the artifact's manifest.
 */
export async function verifyArtifact(artifact: string, target?: VerifyTarget): Promise<ReleaseManifest> {
  if (!existsSync(artifact)) throw new StoregateError('SG_NOT_FOUND', `no release artifact ${artifact}`);
  const into = mkdtempSync(join(tmpdir(), 'sg-verify-'));
  try {
    return readManifest(await extractVerified(artifact, into, target));
  } finally {
    rmSync(into, { recursive: true, force: true });
  }
}

/** Unpack `artifact` into the empty directory `into`; the release directory it holds, verified. */
async function extractVerified(artifact: string, into: string, target?: VerifyTarget): Promise<string> {
  await run('tar', ['-xzf', artifact, '-C', into, '--no-same-owner'], { maxBuffer: 16 << 20 }).catch(
    (err: Error) => {
      throw new StoregateError('SG_RELEASE_INVALID', `${artifact} is not a release tarball: ${err.message}`);
    },
  );
  const top = readdirSync(into);
  if (top.length !== 1 || !top[0]!.startsWith('storegate-')) {
    throw new StoregateError(
      'SG_RELEASE_INVALID',
      `${artifact} must hold one storegate-<version>/ directory`,
    );
  }
  const dir = join(into, top[0]!);
  const problems = verifyRelease(dir, target);
  if (problems.length > 0) {
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
    throw new StoregateError(
      'SG_RELEASE_INVALID',
      `${artifact} fails verification: ${problems.slice(0, 10).join('; ')}${more}`,
    );
  }
  return dir;
}
