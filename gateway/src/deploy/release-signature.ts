import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { StoregateError } from '../core/errors.js';
import { type ReleaseManifest, sha256File } from './manifest.js';

/**
 * Detached Ed25519 signatures of release tarballs (docs/deploy.md "Signed releases"). `npm run release
 * --sign-key` writes `<tarball>.sig` beside the tarball:
 *   { "format": "storegate-release-signature/1", "signed": "<JSON text of SignedRelease>", "key_id", "sig" }
 * The signature covers the exact bytes of `signed`, which holds the tarball's sha256: the tarball's manifest
 * then covers every file inside, so one signature vouches for the whole release.
 */
export interface SignedRelease {
  name: 'storegate';
  version: string;
  commit: string;
  built_at: string;
  node_abi: string;
  arch: string;
  platform: string;
  tarball: string;
  tarball_sha256: string;
}

const FORMAT = 'storegate-release-signature/1';

export function signatureFile(tarball: string): string {
  return `${tarball}.sig`;
}

/** sha256 of the raw 32-byte public key, first 16 hex digits: how a key is named in logs and docs. */
export function keyId(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return createHash('sha256')
    .update(der.subarray(der.length - 32))
    .digest('hex')
    .slice(0, 16);
}

export function newSigningKey(): { privatePem: string; publicPem: string; id: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    id: keyId(publicKey),
  };
}

export function readSigningKey(file: string): KeyObject {
  try {
    const key = createPrivateKey(readFileSync(file));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      `${file}: not an Ed25519 private key (${(err as Error).message})`,
      { hint: 'make one with `storegate release keygen --out FILE`' },
    );
  }
}

/** Write `<tarball>.sig` for a tarball whose manifest is `manifest`. */
export function signRelease(
  tarball: string,
  manifest: Omit<ReleaseManifest, 'files'>,
  key: KeyObject,
): string {
  const statement: SignedRelease = {
    name: 'storegate',
    version: manifest.version,
    commit: manifest.commit,
    built_at: manifest.built_at,
    node_abi: manifest.node_abi,
    arch: manifest.arch,
    platform: manifest.platform,
    tarball: basename(tarball),
    tarball_sha256: sha256File(tarball),
  };
  const signed = JSON.stringify(statement);
  const envelope = {
    format: FORMAT,
    signed,
    key_id: keyId(createPublicKey(key)),
    sig: sign(null, Buffer.from(signed), key).toString('base64'),
  };
  const file = signatureFile(tarball);
  writeFileSync(file, `${JSON.stringify(envelope, null, 2)}\n`);
  return file;
}

/** Every PEM "PUBLIC KEY" block (or base64 line of a raw 32-byte key) in a key file's text. */
export function parseReleaseKeys(text: string, source: string): KeyObject[] {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  const rest = text
    .replace(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const raw = rest.map((line) =>
    Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(line, 'base64')]),
  );
  try {
    const keys = [
      ...blocks.map((pem) => createPublicKey(pem)),
      ...raw.map((der) => createPublicKey({ key: der, format: 'der', type: 'spki' })),
    ];
    for (const k of keys) {
      if (k.asymmetricKeyType !== 'ed25519') throw new Error(`a ${k.asymmetricKeyType} key`);
    }
    return keys;
  } catch (err) {
    throw new StoregateError(
      'SG_RELEASE_SIGNATURE',
      `${source}: not a list of Ed25519 public keys (${(err as Error).message})`,
    );
  }
}

/**
 * Check `<tarball>.sig` against `keys` and the tarball's sha256; the signed statement. Missing signature or
 * no keys to check it with: SG_RELEASE_UNSIGNED; anything else wrong: SG_RELEASE_SIGNATURE.
 */
export function verifyReleaseSignature(
  tarball: string,
  keys: readonly KeyObject[],
  sigFile = signatureFile(tarball),
): SignedRelease {
  if (!existsSync(sigFile)) {
    throw new StoregateError('SG_RELEASE_UNSIGNED', `${tarball} has no signature (${sigFile})`);
  }
  if (keys.length === 0) {
    throw new StoregateError('SG_RELEASE_UNSIGNED', 'no release public keys are installed to check it with', {
      hint: 'install the release keys (docs/deploy.md "Signed releases"), or --allow-unsigned at the console',
    });
  }
  const bad = (why: string) => new StoregateError('SG_RELEASE_SIGNATURE', `${sigFile}: ${why}`);
  let envelope: { format?: unknown; signed?: unknown; sig?: unknown };
  try {
    envelope = JSON.parse(readFileSync(sigFile, 'utf8'));
  } catch {
    throw bad('not a release signature file');
  }
  if (envelope?.format !== FORMAT || typeof envelope.signed !== 'string') {
    throw bad(`not a ${FORMAT} file`);
  }
  if (typeof envelope.sig !== 'string') throw bad('no signature');
  const signed = Buffer.from(envelope.signed);
  const sig = Buffer.from(envelope.sig, 'base64');
  if (!keys.some((k) => verify(null, signed, k, sig))) {
    throw bad(
      `not signed by any of the ${keys.length} trusted release key(s) (${keys.map(keyId).join(', ')})`,
    );
  }
  const statement = JSON.parse(envelope.signed) as SignedRelease;
  const actual = sha256File(tarball);
  if (statement.tarball_sha256 !== actual) {
    throw bad(`the tarball has sha256 ${actual}, the signed release says ${statement.tarball_sha256}`);
  }
  return statement;
}
