import { systemClock } from '../../../shared/src/clock.js';
import { StoregateError } from '../core/errors.js';
import type { SqliteDatabase } from './db.js';

/** One schema step. Versions start at 1 and are never renumbered or edited once released: add a new one. */
export interface Migration {
  version: number;
  description: string;
  up(db: SqliteDatabase): void;
}

/**
 * Versioned migrations per module. SQLite's single `user_version` cannot serve several modules sharing one file
 * (devices, planogram, catalog…), so each module keeps its own row in `schema_version`. Each migration runs in
 * its own IMMEDIATE transaction together with its version bump, so a crash leaves the schema at a whole version,
 * and two processes opening the same file at once cannot both apply the same step.
 */
export function applyMigrations(
  db: SqliteDatabase,
  module: string,
  migrations: readonly Migration[],
): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) {
      // Assert: migration lists are code, not input.
      throw new Error(`migrations for ${module} must be numbered 1..n without gaps (found ${m.version})`);
    }
  });
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_version (
       module TEXT PRIMARY KEY,
       version INTEGER NOT NULL,
       applied_at INTEGER NOT NULL
     )`,
  );
  const read = db.prepare<[string], { version: number }>(
    'SELECT version FROM schema_version WHERE module = ?',
  );
  const write = db.prepare<[string, number, number]>(
    `INSERT INTO schema_version (module, version, applied_at) VALUES (?, ?, ?)
     ON CONFLICT(module) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`,
  );
  const current = () => read.get(module)?.version ?? 0;
  const latest = sorted.length;
  const found = current();
  if (found > latest) {
    throw new StoregateError(
      'SG_IO',
      `the ${module} schema in this database is version ${found}, newer than this storegate knows (${latest})`,
      { hint: 'upgrade storegate, or restore a backup made by this version' },
    );
  }
  for (const migration of sorted) {
    if (current() >= migration.version) continue;
    const step = db.transaction(() => {
      // Re-read inside the write lock: another process may have applied this step meanwhile.
      if (current() >= migration.version) return;
      migration.up(db);
      write.run(module, migration.version, systemClock().now());
    });
    step.immediate();
  }
  return current();
}
