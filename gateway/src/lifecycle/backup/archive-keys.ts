import { randomBytes, scrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { StoregateError } from '../../core/errors.js';

/**
 * Where a backup's AES-256 key comes from. A passphrase: scrypt. Recipient keys (age X25519, `age1…`): a
 * random key, wrapped for each recipient as a small age file (age-encryption.org/v1) kept in the header — so
 * a gateway can write backups with only the public key, and only the holder of the identity can read them.
 */
export type KeySource = { passphrase: string } | { recipients: string[] };
/**
 * What opens a backup: the passphrase, or age identities (`AGE-SECRET-KEY-1…`). The passphrase may be asked for
 * only once the backup's header shows it needs one, so a missing secret is reported for the kind it is made for.
 */
export type KeyOpener = { passphrase: string | (() => string) } | { identities: string[] };

export type BackupKdf =
  | { name: 'scrypt'; salt: string; N: number; r: number; p: number }
  | { name: 'age'; wrapped_key: string };

/** 2^15 × r 8 = 32 MiB of memory per derivation: seconds of work per guess on a Pi, fine once per backup. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < 8) {
    throw new StoregateError('SG_BAD_ARGUMENT', 'the backup passphrase must be at least 8 characters');
  }
}

function deriveKey(passphrase: string, kdf: Extract<BackupKdf, { name: 'scrypt' }>): Promise<Buffer> {
  if (kdf.N > 2 ** 20 || kdf.r > 32 || kdf.p > 16) {
    throw new StoregateError('SG_BACKUP_INVALID', 'backup header asks for unreasonable scrypt parameters');
  }
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(kdf.salt, 'base64'),
      32,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r * 2 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** A fresh key for a new backup and how the header records it. */
export async function newBackupKey(source: KeySource): Promise<{ key: Buffer; kdf: BackupKdf }> {
  if ('passphrase' in source) {
    checkPassphrase(source.passphrase);
    const kdf = { name: 'scrypt' as const, salt: randomBytes(16).toString('base64'), ...SCRYPT };
    return { key: await deriveKey(source.passphrase, kdf), kdf };
  }
  if (source.recipients.length === 0) throw new StoregateError('SG_BAD_ARGUMENT', 'no recipient key given');
  const encrypter = new Encrypter();
  for (const r of source.recipients) {
    try {
      encrypter.addRecipient(r);
    } catch (err) {
      throw new StoregateError(
        'SG_BAD_ARGUMENT',
        `not an age recipient key: ${r} (${(err as Error).message})`,
      );
    }
  }
  const key = randomBytes(32);
  const wrapped = Buffer.from(await encrypter.encrypt(key)).toString('base64');
  return { key, kdf: { name: 'age', wrapped_key: wrapped } };
}

/**
 * The key of an existing backup. Throws SG_BACKUP_PASSPHRASE / SG_BACKUP_IDENTITY when what was given is not
 * what the backup was made for, SG_BACKUP_INVALID when the wrapped key was changed.
 */
export async function openBackupKey(opener: KeyOpener, kdf: BackupKdf, file: string): Promise<Buffer> {
  if (kdf.name === 'scrypt') {
    if (!('passphrase' in opener)) {
      throw new StoregateError('SG_BACKUP_IDENTITY', `${file} is encrypted with a passphrase, not to a key`, {
        hint: 'restore it with --passphrase-file FILE or SG_BACKUP_PASSPHRASE',
      });
    }
    const passphrase = typeof opener.passphrase === 'function' ? opener.passphrase() : opener.passphrase;
    return deriveKey(passphrase, kdf);
  }
  if (!('identities' in opener)) {
    throw new StoregateError('SG_BACKUP_IDENTITY', `${file} is encrypted to a recipient key`, {
      hint: 'restore it with --identity FILE (the AGE-SECRET-KEY of `storegate backup keygen`)',
    });
  }
  const decrypter = new Decrypter();
  for (const id of opener.identities) decrypter.addIdentity(id);
  let key: Uint8Array;
  try {
    key = await decrypter.decrypt(Buffer.from(kdf.wrapped_key, 'base64'));
  } catch (err) {
    const message = (err as Error).message;
    if (/no identity matched/i.test(message)) {
      throw new StoregateError('SG_BACKUP_IDENTITY', `none of the identities given can open ${file}`);
    }
    throw new StoregateError('SG_BACKUP_INVALID', `${file}: the wrapped key is damaged (${message})`);
  }
  if (key.length !== 32)
    throw new StoregateError('SG_BACKUP_INVALID', `${file}: the wrapped key is not 32 bytes`);
  return Buffer.from(key);
}

/** `age1…` keys from the command line or from files (one a line, `#` comments; identities give their key). */
export async function readRecipients(values: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const v of values) {
    if (v.startsWith('age1')) out.push(v);
    else
      for (const line of keyLines(v)) {
        out.push(line.startsWith('AGE-SECRET-KEY-') ? await identityToRecipient(line) : line);
      }
  }
  return out;
}

/** The `AGE-SECRET-KEY-1…` lines of identity files. */
export function readIdentities(files: readonly string[]): string[] {
  const ids = files.flatMap((f) => keyLines(f).filter((l) => l.startsWith('AGE-SECRET-KEY-')));
  if (ids.length === 0) {
    throw new StoregateError('SG_BAD_ARGUMENT', `no AGE-SECRET-KEY line in ${files.join(', ')}`);
  }
  return ids;
}

function keyLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StoregateError('SG_IO', `cannot read ${file}: ${(err as Error).message}`, {
      hint: 'a recipient is an age1… key or a file of them',
    });
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A new identity file text (age-keygen's layout) and its public key. */
export async function newIdentity(now: Date): Promise<{ text: string; recipient: string }> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const text = `# created: ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  return { text, recipient };
}
