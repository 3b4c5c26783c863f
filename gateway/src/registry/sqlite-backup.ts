import { chmodSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoregateError } from '../core/errors.js';

/**
 * A consistent copy of a live SQLite file through SQLite's online backup API (better-sqlite3 `db.backup`):
 * safe while the gateway writes (WAL), unlike copying the file and its -wal. The copy is written to a temporary
 * name, fsynced by SQLite, made 0600 and renamed into place, so `dest` is either the whole backup or absent.
 * Shared by `storegate upgrade` (before migrations run) and `storegate backup`.
 */
export async function backupSqliteFile(source: string, dest: string): Promise<void> {
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoregateError('SG_IO', `cannot open ${source} for backup: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step: a stepwise online backup restarts whenever another connection writes the
    // source, so against a busy gateway it may never finish. One step holds a WAL read snapshot instead,
    // which does not block the gateway's writers.
    await db.backup(partial, { progress: () => 0x7fffffff });
    chmodSync(partial, 0o600);
    renameSync(partial, dest);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new StoregateError('SG_IO', `backup of ${source} failed: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    db.close();
  }
}

/**
 * The module schema versions a file holds (`schema_version`, registry/migrations.ts); empty when the file has
 * none. What tells whether a migration ran since a backup (and an older release can no longer open the file).
 */
export function schemaVersions(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const exists = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
      .get();
    if (!exists) return {};
    const rows = db.prepare('SELECT module, version FROM schema_version').all() as Array<{
      module: string;
      version: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.module, r.version]));
  } finally {
    db.close();
  }
}
