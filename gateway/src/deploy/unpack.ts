import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StoregateError } from '../core/errors.js';
import type { InstallLayout } from './layout.js';
import { readManifest, type VerifyTarget, verifyRelease } from './manifest.js';

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
    await run('tar', ['-xzf', artifact, '-C', incoming, '--no-same-owner'], { maxBuffer: 16 << 20 }).catch(
      (err: Error) => {
        throw new StoregateError(
          'SG_RELEASE_INVALID',
          `${artifact} is not a release tarball: ${err.message}`,
        );
      },
    );
    const top = readdirSync(incoming);
    if (top.length !== 1 || !top[0]!.startsWith('storegate-')) {
      throw new StoregateError(
        'SG_RELEASE_INVALID',
        `${artifact} must hold one storegate-<version>/ directory`,
      );
    }
    const dir = join(incoming, top[0]!);
    const problems = verifyRelease(dir, target);
    if (problems.length > 0) {
      const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
      throw new StoregateError(
        'SG_RELEASE_INVALID',
        `${artifact} fails verification: ${problems.slice(0, 10).join('; ')}${more}`,
      );
    }
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
