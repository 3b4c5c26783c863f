import type { KeyObject } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StoregateError } from '../core/errors.js';
import { parseReleaseKeys } from './release-signature.js';

/**
 * The release public keys live outside /etc/storegate on purpose: that directory and storegate.yaml belong to
 * the `storegate` user (config.apply rewrites the config), and a key the service user could add would let it
 * sign its own release for the root upgrade helper to install.
 */
export const RELEASE_KEYS_FILE = 'etc/storegate-release-keys.pem';

export function releaseKeysPath(root: string): string {
  return join(root, RELEASE_KEYS_FILE);
}

/**
 * The trusted release keys of `file` (none when it does not exist). Run as root, the file and every directory
 * above it up to `trustedRoot` must be root's and not group- or world-writable (sshd's StrictModes): otherwise
 * SG_RELEASE_SIGNATURE, because someone other than root could have chosen the keys.
 */
export function loadReleaseKeys(file: string, trustedRoot = '/'): KeyObject[] {
  if (!existsSync(file)) return [];
  if (process.geteuid?.() === 0) {
    const top = resolve(trustedRoot);
    for (let p = resolve(file); ; p = dirname(p)) {
      const st = lstatSync(p);
      if (st.uid !== 0 || (st.mode & 0o022) !== 0 || (p === resolve(file) && !st.isFile())) {
        throw new StoregateError(
          'SG_RELEASE_SIGNATURE',
          `${file}: not trusted, ${p} is ${st.isSymbolicLink() ? 'a symlink' : `owned by uid ${st.uid} with mode ${(st.mode & 0o777).toString(8)}`}`,
          { hint: `chown root:root ${p} && chmod go-w ${p}` },
        );
      }
      if (p === top || p === dirname(p)) break;
    }
  }
  return parseReleaseKeys(readFileSync(file, 'utf8'), file);
}
