import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Device secrets: 32 random bytes (256 bits), base64url. Only scrypt hashes are stored, as
 * `scrypt$N$r$p$salt$hash` so the work factor can be raised later without invalidating existing hashes.
 *
 * Why N = 2^12 by default: the secrets are machine-generated with 256 bits of entropy, so no work factor is
 * needed against guessing; the hash only ensures a leaked database holds no usable credentials. A higher cost
 * would make a reconnect storm after a gateway restart (2,000 devices) take minutes on a 2-core box.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 4096, r: 8, p: 1, keyLength: 32 });

const SALT_BYTES = 16;
/** Longer "secrets" are refused before hashing (ours are 43 characters). */
export const MAX_SECRET_LENGTH = 512;

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

function maxmem(params: ScryptParams): number {
  return 128 * params.N * params.r * 2 + 1024 * 1024;
}

function encode(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function hashSecretSync(secret: string, params: ScryptParams = DEFAULT_SCRYPT): string {
  const salt = randomBytes(SALT_BYTES);
  const hash = scryptSync(secret, salt, params.keyLength, { ...params, maxmem: maxmem(params) });
  return encode(params, salt, hash);
}

interface DecodedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

export function decodeHash(encoded: string): DecodedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const hash = Buffer.from(parts[5]!, 'base64url');
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || salt.length === 0 || hash.length === 0) {
    return null;
  }
  return { params: { N, r, p, keyLength: hash.length }, salt, hash };
}

function scryptAsync(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, params.keyLength, { ...params, maxmem: maxmem(params) }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Constant-time comparison of a candidate secret against a stored hash (off the event loop). */
export async function verifySecretHash(secret: string, encoded: string): Promise<boolean> {
  const decoded = decodeHash(encoded);
  if (!decoded) return false;
  const candidate = await scryptAsync(secret.slice(0, MAX_SECRET_LENGTH), decoded.salt, decoded.params);
  return candidate.length === decoded.hash.length && timingSafeEqual(candidate, decoded.hash);
}

/** A hash of a random value nobody knows: verifying unknown ids against it costs the same as a real check. */
export function dummyHash(params: ScryptParams = DEFAULT_SCRYPT): string {
  return hashSecretSync(generateSecret(), params);
}

/** Fast digest used only to remember secrets that already passed a full scrypt check in this process. */
export function fastDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
