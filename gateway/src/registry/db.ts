import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoregateError } from '../core/errors.js';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a writer waits for another process's lock (the CLI and the gateway share files). */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Open a SQLite file the way every Storegate store wants it: WAL (readers never block the writer, and the
 * CLI can work while the gateway runs), a busy timeout instead of instant SQLITE_BUSY, and synchronous=NORMAL,
 * which in WAL mode loses at most the last commits on power loss but never corrupts the file. Modules that must
 * not lose a commit (the outbox) set synchronous=FULL on their own connection.
 * `:memory:` works for tests (WAL silently stays `memory` there).
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (err) {
    throw new StoregateError('SG_IO', `cannot open database ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check that the data_dir exists and is writable by this user',
    });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    // The first statement is where a file that is not a database (or a damaged one) shows.
    throw new StoregateError('SG_IO', `cannot use database ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: isCorruptionError(err)
        ? 'the file is damaged or not a SQLite database: restore it from a backup'
        : 'check that the data_dir exists and is writable by this user',
    });
  }
  return db;
}

/** SQLite's codes for a damaged file or one that is not a database at all. */
export function isCorruptionError(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/** `PRAGMA quick_check`: null if the file is sound, else what SQLite found (first few problems). */
export function quickCheck(db: SqliteDatabase): string | null {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  const text = rows.map((r) => r.quick_check).join('; ');
  return text === 'ok' ? null : text;
}
