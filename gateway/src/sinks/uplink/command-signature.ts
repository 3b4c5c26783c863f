import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { StoregateError } from '../../core/errors.js';

/**
 * Signed cloud commands (docs/security.md). A state-changing command arrives as
 *   { "signed": "<JSON text of {id, name, store, args}>", "sig": "<base64 Ed25519 signature of that text>" }
 * The signature covers the exact bytes of `signed`, which names the command and the store, so a signed
 * catalog.sync for one store cannot be replayed as another command or to another store. Catalog versions are
 * monotonic, so an old signed catalog cannot roll one back either.
 */
export interface CommandTrustPolicy {
  /** Ed25519 public keys; any one may sign. */
  keys: readonly KeyObject[];
  /** The cloud connection itself is trusted (unsigned state-changing commands are accepted). */
  trustedConnection: boolean;
  storeId: string;
}

/** PEM (SPKI) or base64 of the raw 32-byte Ed25519 public key. */
export function parsePublicKey(text: string): KeyObject {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({
          key: Buffer.concat([
            Buffer.from('302a300506032b6570032100', 'hex'),
            Buffer.from(trimmed, 'base64'),
          ]),
          format: 'der',
          type: 'spki',
        });
    // Caught just below and reported as SG_CONFIG_INVALID with the config path.
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new StoregateError(
      'SG_CONFIG_INVALID',
      `cloud.command_signing.public_keys: not an Ed25519 public key (${(err as Error).message})`,
      {
        hint: 'PEM "BEGIN PUBLIC KEY" or base64 of the raw 32 bytes',
      },
    );
  }
}

export type SignatureCheck =
  | { ok: true; request: { id: unknown; args?: unknown } }
  | { ok: false; reason: 'unsigned' | 'bad_signature' | 'wrong_command' | 'wrong_store' | 'malformed' };

/** Check an envelope for command `name`; `unsigned` when it carries no signature at all. */
export function checkSignedRequest(
  name: string,
  envelope: Record<string, unknown>,
  policy: CommandTrustPolicy,
): SignatureCheck {
  const { signed, sig } = envelope;
  if (signed === undefined && sig === undefined) return { ok: false, reason: 'unsigned' };
  if (typeof signed !== 'string' || typeof sig !== 'string' || signed.length > 16 * 1024 * 1024) {
    return { ok: false, reason: 'malformed' };
  }
  const data = Buffer.from(signed, 'utf8');
  const signature = Buffer.from(sig, 'base64');
  if (signature.length !== 64 || !policy.keys.some((k) => verify(null, data, k, signature))) {
    return { ok: false, reason: 'bad_signature' };
  }
  let inner: unknown;
  try {
    inner = JSON.parse(signed);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
    return { ok: false, reason: 'malformed' };
  const r = inner as { id?: unknown; name?: unknown; store?: unknown; args?: unknown };
  if (r.name !== name) return { ok: false, reason: 'wrong_command' };
  if (r.store !== policy.storeId) return { ok: false, reason: 'wrong_store' };
  return { ok: true, request: { id: r.id, args: r.args } };
}
