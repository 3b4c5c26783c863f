import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { StoregateError } from '../../core/errors.js';
import type { ReleaseManifest } from '../../deploy/manifest.js';
import { loadReleaseKeys, releaseKeysPath } from '../../deploy/release-keys.js';
import {
  newSigningKey,
  readSigningKey,
  signRelease,
  verifyReleaseSignature,
} from '../../deploy/release-signature.js';
import { printLine } from '../output.js';

/** The manifest inside a release tarball (its one top directory's manifest.json). */
function tarballManifest(tarball: string): ReleaseManifest {
  const top = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('/')[0];
  const text = execFileSync('tar', ['-xzOf', tarball, `${top}/manifest.json`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(text) as ReleaseManifest;
}

/** `storegate release keygen|sign|verify`: the Ed25519 keys that sign release tarballs (docs/deploy.md). */
export function registerReleaseCommands(program: Command): void {
  const release = program.command('release').description('sign release tarballs and check their signatures');
  release
    .command('keygen')
    .description(
      'make an Ed25519 release signing key: FILE (secret, 0600: keep it on the build machine) and FILE.pub (for /etc/storegate-release-keys.pem on the stores)',
    )
    .requiredOption('--out <file>', 'private key file to write (refused if it exists)')
    .action((opts: { out: string }) => {
      for (const f of [opts.out, `${opts.out}.pub`]) {
        if (existsSync(f)) throw new StoregateError('SG_CONFLICT', `${f} exists; not overwriting a key`);
      }
      const key = newSigningKey();
      writeFileSync(opts.out, key.privatePem, { mode: 0o600, flag: 'wx' });
      writeFileSync(`${opts.out}.pub`, key.publicPem, { mode: 0o644, flag: 'wx' });
      printLine(`signing key ${key.id} written: ${opts.out} (secret) and ${opts.out}.pub (public)`);
      printLine(key.publicPem.trim());
    });
  release
    .command('sign')
    .description('write <tarball>.sig, an Ed25519 signature of the tarball (its sha256 and manifest fields)')
    .argument('<tarball>', 'storegate-<version>-linux-<arch>.tar.gz from `npm run release`')
    .requiredOption('--key <file>', 'the private key from `storegate release keygen`')
    .action((tarball: string, opts: { key: string }) => {
      const file = signRelease(tarball, tarballManifest(tarball), readSigningKey(opts.key));
      printLine(`signed: ${file}`);
    });
  release
    .command('verify')
    .description("check <tarball>.sig against the trusted release keys (this machine's, or --keys)")
    .argument('<tarball>')
    .option('--keys <file>', 'public keys to trust (default: /etc/storegate-release-keys.pem)')
    .action((tarball: string, opts: { keys?: string }) => {
      // A key file named on the command line is the caller's choice; the installed one must be root's.
      const keys = opts.keys ? loadReleaseKeys(opts.keys, opts.keys) : loadReleaseKeys(releaseKeysPath('/'));
      const signed = verifyReleaseSignature(tarball, keys);
      printLine(
        `good signature: release ${signed.version} (commit ${signed.commit}, built ${signed.built_at})`,
      );
    });
}
