import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { systemClock } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import { backupSqliteFile } from '../../registry/sqlite-backup.js';
import { openEncryption } from './archive-crypto.js';
import type { KeySource } from './archive-keys.js';
import { type Manifest, type ManifestEntry, payloadOf, sha256OfFile } from './archive-payload.js';

/**
 * What a backup holds: the databases that cannot be rebuilt from the cloud or the devices — registry.db
 * (devices and their credential hashes, users, API tokens, audit), shelves.db (planogram versions,
 * calibrations, learned unit weights), checkout.db (catalog, learned item weights), haccp.db (the HACCP
 * record), footfall.db (local rollups) — plus the config file and the HTTP TLS key pair clients pin.
 * Not the outbox: its events are in flight, and a restored outbox would re-send old sequence numbers under
 * an epoch the cloud already closed. Its small state file is kept, so a gateway restored onto an empty card
 * knows an outbox existed and emits `gateway.data_loss` with the last seqs it knew (docs/deploy.md).
 */
export const OUTBOX_STATE_FILE = 'outbox.state.json';
export const BACKUP_DATABASES = [
  'registry.db',
  'shelves.db',
  'checkout.db',
  'haccp.db',
  'footfall.db',
] as const;
export const BACKUP_DATA_FILES = [
  'tls/http-cert.pem',
  'tls/http-key.pem',
  'footfall-state.json',
  // Restored only where no outbox.db is left (a new card): the outbox then reports the loss in-band.
  OUTBOX_STATE_FILE,
] as const;

export interface BackupSource {
  dataDir: string;
  configFile: string | null;
  storeId: string;
}

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: Manifest;
}

export function storegateVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../package.json'), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

/**
 * Consistent copies of databases of `dataDir` into `dir` (SQLite's online backup: a snapshot even while the
 * gateway writes), each checked with `PRAGMA integrity_check`; returns the copies. The one copy path for both
 * `storegate backup` (the BACKUP_DATABASES, then encrypted by createBackup) and `storegate upgrade` (every
 * .db, unencrypted beside the data, before a release's forward-only migrations run: deploy/data-backup.ts).
 */
export async function snapshotDatabases(
  dataDir: string,
  dir: string,
  names: readonly string[] = BACKUP_DATABASES,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const copied: string[] = [];
  for (const name of names) {
    const source = join(dataDir, name);
    if (!existsSync(source)) continue;
    const target = join(dir, name);
    await backupSqliteFile(source, target);
    checkIntegrity(target, `${source} (its backup copy)`);
    copied.push(target);
  }
  return copied;
}

/** `PRAGMA integrity_check` on a database file; throws SG_BACKUP_INVALID with SQLite's first findings. */
export function checkIntegrity(file: string, label = file): void {
  let rows: { integrity_check: string }[];
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      rows = db.pragma('integrity_check') as { integrity_check: string }[];
    } finally {
      db.close();
    }
  } catch (err) {
    throw new StoregateError(
      'SG_BACKUP_INVALID',
      `${label} is not a readable SQLite database: ${(err as Error).message}`,
    );
  }
  const findings = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
  if (findings.length > 0) {
    throw new StoregateError(
      'SG_BACKUP_INVALID',
      `${label} fails integrity_check: ${findings.slice(0, 3).join('; ')}`,
    );
  }
}

/**
 * Write an encrypted backup of a data dir and its config to `out` (atomically: a temp file, then rename),
 * under a passphrase (a string) or to age recipient keys.
 */
export async function createBackup(
  source: BackupSource,
  out: string,
  secret: string | KeySource,
  now: Date = new Date(systemClock().now()),
): Promise<BackupResult> {
  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  // Staged next to the output, not in /tmp: that may be a small tmpfs, and the copies hold credentials (0700).
  const stage = await mkdtemp(join(dirname(target), '.storegate-backup-'));
  const partial = `${target}.partial`;
  try {
    const files: ManifestEntry[] = [];
    mkdirSync(join(stage, 'data'), { mode: 0o700 });
    for (const copy of await snapshotDatabases(source.dataDir, join(stage, 'data'))) {
      files.push(await entryOf(stage, `data/${basename(copy)}`, 'sqlite'));
    }
    for (const name of BACKUP_DATA_FILES) {
      const from = join(source.dataDir, name);
      if (!existsSync(from)) continue;
      const to = join(stage, 'data', name);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      copyFileSync(from, to);
      files.push(await entryOf(stage, `data/${name}`, 'file'));
    }
    if (source.configFile && existsSync(source.configFile)) {
      mkdirSync(join(stage, 'config'), { mode: 0o700 });
      copyFileSync(source.configFile, join(stage, 'config', 'storegate.yaml'));
      files.push(await entryOf(stage, 'config/storegate.yaml', 'config'));
    }
    const createdAt = now.toISOString();
    const version = storegateVersion();
    const manifest: Manifest = {
      format: 1,
      created_at: createdAt,
      store_id: source.storeId,
      storegate_version: version,
      config_file: source.configFile,
      files,
    };
    const keys = typeof secret === 'string' ? { passphrase: secret } : secret;
    const { prefix, cipher } = await openEncryption(keys, {
      storeId: source.storeId,
      version,
      createdAt,
    });
    const handle = await open(partial, 'w', 0o600);
    try {
      await handle.write(prefix);
      await pipeline(Readable.from(payloadOf(manifest, stage)), createGzip(), cipher, async (encrypted) => {
        for await (const chunk of encrypted) await handle.write(chunk as Buffer);
      });
      await handle.write(cipher.getAuthTag());
      await handle.sync();
    } finally {
      await handle.close();
    }
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, manifest };
  } finally {
    rmSync(partial, { force: true });
    rmSync(stage, { recursive: true, force: true });
  }
}

async function entryOf(stage: string, name: string, kind: ManifestEntry['kind']): Promise<ManifestEntry> {
  const file = join(stage, name);
  return { name, kind, size: statSync(file).size, sha256: await sha256OfFile(file) };
}
