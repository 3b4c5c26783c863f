import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { StoregateError } from '../../core/errors.js';
import {
  type BackupKdf,
  type KeyOpener,
  type KeySource,
  newBackupKey,
  openBackupKey,
} from './archive-keys.js';

/**
 * The encrypted envelope of a backup file:
 *
 *   "SGBACKUP" | u32 BE header length | header JSON | AES-256-GCM ciphertext | 16-byte GCM tag
 *
 * The header (not secret) names the KDF parameters, the IV and a key check value, and is the GCM additional
 * data, so editing it fails authentication. The key comes from the passphrase through scrypt, or is random and
 * wrapped for age recipient keys (archive-keys.ts); the key check (an HMAC of a fixed label) tells a wrong
 * passphrase from a damaged file before any byte is decrypted.
 */
export const MAGIC = Buffer.from('SGBACKUP', 'ascii');
export const TAG_BYTES = 16;
const KEY_CHECK_LABEL = 'storegate-backup key check';
const MAX_HEADER_BYTES = 64 * 1024;

export interface BackupHeader {
  format: 1;
  created_at: string;
  store_id: string;
  storegate_version: string;
  cipher: 'aes-256-gcm';
  /** scrypt of a passphrase, or the key wrapped for age recipients (archive-keys.ts). */
  kdf: BackupKdf;
  iv: string;
  key_check: string;
  compression: 'gzip';
}

function keyCheck(key: Buffer): Buffer {
  return createHmac('sha256', key).update(KEY_CHECK_LABEL).digest().subarray(0, 16);
}

/** A fresh header and the cipher that encrypts the payload under it (AAD set). */
export async function openEncryption(
  source: KeySource,
  meta: { storeId: string; version: string; createdAt: string },
) {
  const { key, kdf } = await newBackupKey(source);
  const iv = randomBytes(12);
  const header: BackupHeader = {
    format: 1,
    created_at: meta.createdAt,
    store_id: meta.storeId,
    storegate_version: meta.version,
    cipher: 'aes-256-gcm',
    kdf,
    iv: iv.toString('base64'),
    key_check: keyCheck(key).toString('base64'),
    compression: 'gzip',
  };
  const prefix = encodeHeader(header);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(prefix);
  return { header, prefix, cipher };
}

function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

/** Parse the prefix of a backup file (its first bytes); returns the header and the prefix length. */
export function decodeHeader(head: Buffer, file: string): { header: BackupHeader; prefixBytes: number } {
  const invalid = (why: string) =>
    new StoregateError('SG_BACKUP_INVALID', `${file} is not a Storegate backup: ${why}`);
  if (head.length < MAGIC.length + 4 || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw invalid('no SGBACKUP signature');
  }
  const len = head.readUInt32BE(MAGIC.length);
  if (len > MAX_HEADER_BYTES || head.length < MAGIC.length + 4 + len) throw invalid('truncated header');
  let header: BackupHeader;
  try {
    header = JSON.parse(head.subarray(MAGIC.length + 4, MAGIC.length + 4 + len).toString('utf8'));
  } catch {
    throw invalid('header is not JSON');
  }
  const kdf = header.kdf?.name;
  if (header.format !== 1 || header.cipher !== 'aes-256-gcm' || (kdf !== 'scrypt' && kdf !== 'age')) {
    throw invalid(`unsupported format ${JSON.stringify({ format: header.format, cipher: header.cipher })}`);
  }
  return { header, prefixBytes: MAGIC.length + 4 + len };
}

/**
 * The decipher for a parsed header; throws SG_BACKUP_PASSPHRASE when the passphrase is not the one used,
 * SG_BACKUP_IDENTITY when no identity given is a recipient.
 */
export async function openDecryption(
  opener: KeyOpener,
  header: BackupHeader,
  prefix: Buffer,
  tag: Buffer,
  file: string,
) {
  const key = await openBackupKey(opener, header.kdf, file);
  const expected = Buffer.from(header.key_check, 'base64');
  const actual = keyCheck(key);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    // A wrapped age key is authenticated by age itself: a key that does not match was tampered with.
    if (header.kdf.name === 'age') {
      throw new StoregateError('SG_BACKUP_INVALID', `${file}: the key does not match its key check`);
    }
    throw new StoregateError('SG_BACKUP_PASSPHRASE', 'wrong passphrase for this backup');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  decipher.setAAD(prefix);
  decipher.setAuthTag(tag);
  return decipher;
}
