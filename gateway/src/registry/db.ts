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
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  return db;
}
