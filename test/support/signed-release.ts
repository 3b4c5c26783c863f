import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ReleaseManifest, writeManifest } from '../../gateway/src/deploy/manifest.js';
import { packTarball } from '../../gateway/src/deploy/release/build.js';
import { signRelease } from '../../gateway/src/deploy/release-signature.js';

/**
 * What the release and signed-command tests share: a small but real release tarball (files, a manifest for
 * this Node, packed like `npm run release`, optionally signed like `npm run release --sign-key`), Ed25519 key
 * pairs, and the signed envelope of a cloud command (docs/security.md).
 */
export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
  publicPem: string;
}

export function keyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey, privateKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

export interface FakeReleaseOptions {
  /** Change dist/main.js after the manifest was written (fails verification). */
  tamper?: boolean;
  /** Sign the tarball with this key (writes `<tarball>.sig`). */
  signWith?: KeyObject;
  builtAt?: string;
  /** dist/main.js (default: an empty module). */
  main?: string;
  /** The tarball's file name (default storegate-<version>[-tampered].tar.gz). */
  name?: string;
}

/** A release tarball in `dir`; its path. */
export function fakeRelease(dir: string, version: string, options: FakeReleaseOptions = {}): string {
  const tag = options.name ?? `storegate-${version}${options.tamper ? '-tampered' : ''}`;
  const stage = join(dir, `stage-${tag}`);
  const release = join(stage, `storegate-${version}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(release, 'dist'), { recursive: true });
  writeFileSync(join(release, 'dist/main.js'), options.main ?? 'export {};\n');
  const manifest: Omit<ReleaseManifest, 'files' | 'name'> = {
    version,
    commit: 'c'.repeat(40),
    built_at: options.builtAt ?? new Date().toISOString(),
    node_abi: process.versions.modules,
    node_version: process.version,
    arch: process.arch,
    platform: process.platform,
  };
  writeManifest(release, manifest);
  if (options.tamper) writeFileSync(join(release, 'dist/main.js'), 'process.exit(1);\n');
  const file = join(dir, `${tag}.tar.gz`);
  packTarball(stage, `storegate-${version}`, file);
  rmSync(stage, { recursive: true, force: true });
  if (options.signWith) signRelease(file, { name: 'storegate', ...manifest }, options.signWith);
  return file;
}

/** A signed cloud command as the cloud sends it: `{signed: <JSON text>, sig: <base64 Ed25519>}`. */
export function signedCommand(key: KeyObject, store: string, id: string, name: string, args: object): string {
  const text = JSON.stringify({ id, name, store, args });
  return JSON.stringify({ signed: text, sig: sign(null, Buffer.from(text), key).toString('base64') });
}
