import { chownSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { systemClock } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import { runningGateway } from '../pid-file.js';
import { decodeHeader, openDecryption, TAG_BYTES } from './archive-crypto.js';
import type { KeyOpener } from './archive-keys.js';
import { type Manifest, payloadWriter, sha256OfFile } from './archive-payload.js';
import { checkIntegrity, OUTBOX_STATE_FILE } from './backup.js';

export interface RestoreTarget {
  dataDir: string;
  /** Where the backed-up config goes (the current --config path); null: leave the config alone. */
  configFile: string | null;
}

export interface RestoreResult {
  manifest: Manifest;
  restored: string[];
  /** Where the files that were replaced went (nothing is deleted). */
  movedAside: string | null;
}

/**
 * Decrypt and check a backup (with its passphrase as a string, or age identities) into a fresh directory under
 * `parent`; returns the manifest and that directory.
 */
export async function unpackBackup(
  file: string,
  secret: string | KeyOpener,
  parent: string,
): Promise<{ manifest: Manifest; dir: string }> {
  const path = resolve(file);
  if (!existsSync(path)) throw new StoregateError('SG_NOT_FOUND', `no backup file ${path}`);
  const size = statSync(path).size;
  const handle = await open(path, 'r');
  let head: Buffer;
  let tag: Buffer;
  try {
    head = Buffer.alloc(Math.min(size, 70 * 1024));
    await handle.read(head, 0, head.length, 0);
    tag = Buffer.alloc(TAG_BYTES);
    await handle.read(tag, 0, TAG_BYTES, Math.max(0, size - TAG_BYTES));
  } finally {
    await handle.close();
  }
  const { header, prefixBytes } = decodeHeader(head, path);
  if (size < prefixBytes + TAG_BYTES) {
    throw new StoregateError('SG_BACKUP_INVALID', `${path} is truncated`);
  }
  const opener = typeof secret === 'string' ? { passphrase: secret } : secret;
  const decipher = await openDecryption(opener, header, head.subarray(0, prefixBytes), tag, path);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(parent, '.storegate-restore-'));
  const writer = payloadWriter(dir, async (f) => {
    await mkdir(dirname(f), { recursive: true, mode: 0o700 });
  });
  try {
    const body = createReadStream(path, { start: prefixBytes, end: size - TAG_BYTES - 1 });
    await pipeline(body, decipher, createGunzip(), writer.consume);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    if (err instanceof StoregateError) throw err;
    throw new StoregateError(
      'SG_BACKUP_INVALID',
      `${path} fails authentication (the file was changed or damaged): ${(err as Error).message}`,
      { cause: err },
    );
  }
  const manifest = writer.manifest()!;
  try {
    for (const entry of manifest.files) {
      const staged = join(dir, entry.name);
      if ((await sha256OfFile(staged)) !== entry.sha256) {
        throw new StoregateError('SG_BACKUP_INVALID', `${entry.name} in ${path} does not match its sha256`);
      }
      if (entry.kind === 'sqlite') checkIntegrity(staged, `${entry.name} in ${path}`);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { manifest, dir };
}

/**
 * Restore a backup over a data dir that no gateway is using. Every check (tag, sha256, integrity_check) passes
 * before anything is touched; the files replaced are moved to `data_dir/pre-restore-<time>/`, never deleted.
 * The outbox is left as it is (its undelivered events stay queued).
 */
export async function restoreBackup(
  file: string,
  secret: string | KeyOpener,
  target: RestoreTarget,
  now: Date = new Date(systemClock().now()),
): Promise<RestoreResult> {
  const dataDir = resolve(target.dataDir);
  const pid = runningGateway(dataDir);
  if (pid !== null) {
    throw new StoregateError('SG_GATEWAY_RUNNING', `a gateway (pid ${pid}) is running on ${dataDir}`, {
      hint: 'stop it first (sudo systemctl stop storegate), then restore',
    });
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { manifest, dir } = await unpackBackup(file, secret, dataDir);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const aside = join(dataDir, `pre-restore-${stamp}`);
  const owner = statSync(dataDir);
  const restored: string[] = [];
  let moved = false;
  const moveAside = (path: string, as: string) => {
    if (!existsSync(path)) return;
    mkdirSync(dirname(join(aside, as)), { recursive: true, mode: 0o700 });
    renameSync(path, join(aside, as));
    moved = true;
  };
  try {
    for (const entry of manifest.files) {
      const staged = join(dir, entry.name);
      const rel = entry.name.replace(/^(data|config)\//, '');
      const dest = entry.kind === 'config' ? target.configFile : join(dataDir, rel);
      if (!dest) continue;
      // Over a live outbox the old state file would be stale; it only helps a data dir without one.
      if (rel === OUTBOX_STATE_FILE && existsSync(join(dataDir, 'outbox.db'))) continue;
      if (entry.kind === 'sqlite') for (const s of ['-wal', '-shm']) moveAside(`${dest}${s}`, `${rel}${s}`);
      if (entry.kind === 'config') {
        // The config usually lives outside data_dir (/etc/storegate): the old one stays beside it.
        if (existsSync(dest)) renameSync(dest, `${dest}.pre-restore-${stamp}`);
      } else {
        moveAside(dest, rel);
      }
      mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
      renameSync(staged, dest);
      // Run as root, the restored files would be root's: hand them to whoever owns data_dir (the service user).
      if (process.getuid?.() === 0 && entry.kind !== 'config') {
        chownSync(dest, owner.uid, owner.gid);
        if (dirname(dest) !== dataDir) chownSync(dirname(dest), owner.uid, owner.gid);
      }
      restored.push(dest);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { manifest, restored, movedAside: moved ? aside : null };
}
