import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../registry/db.js';
import { applyMigrations, type Migration } from '../registry/migrations.js';
import { schemaVersions } from '../registry/sqlite-backup.js';
import { backupDataDir, restoreMigrated } from './data-backup.js';

const v1: Migration = {
  version: 1,
  description: 'items',
  up: (db) => db.exec('CREATE TABLE items (n INTEGER)'),
};
const v2: Migration = {
  version: 2,
  description: 'notes',
  up: (db) => db.exec('ALTER TABLE items ADD note TEXT'),
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('databases around an upgrade', () => {
  it('backs up every .db while open, and a rollback puts back only the files whose schema moved on', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sg-data-'));
    dirs.push(data);
    const migrated = openDatabase(join(data, 'shelves.db'));
    applyMigrations(migrated, 'shelves', [v1]);
    migrated.prepare('INSERT INTO items (n) VALUES (1)').run();
    const kept = openDatabase(join(data, 'outbox.db'));
    applyMigrations(kept, 'outbox', [v1]);
    kept.prepare('INSERT INTO items (n) VALUES (1)').run();

    // Taken while both connections are open (WAL, uncheckpointed rows included).
    const backup = await backupDataDir(data, join(data, 'backups', 'upgrade-a-to-b'));
    expect(backup.files.map((f) => [f.name, f.versions])).toEqual([
      ['outbox.db', { outbox: 1 }],
      ['shelves.db', { shelves: 1 }],
    ]);

    // The "new release": migrates shelves.db, and the outbox accepts another event without a migration.
    applyMigrations(migrated, 'shelves', [v1, v2]);
    kept.prepare('INSERT INTO items (n) VALUES (2)').run();
    migrated.close();
    kept.close();

    expect(restoreMigrated(data, backup)).toEqual(['shelves.db']);
    expect(schemaVersions(join(data, 'shelves.db'))).toEqual({ shelves: 1 });
    const outbox = openDatabase(join(data, 'outbox.db'));
    expect(outbox.prepare('SELECT count(*) AS c FROM items').get()).toEqual({ c: 2 });
    outbox.close();
    const shelves = openDatabase(join(data, 'shelves.db'));
    expect(shelves.prepare('SELECT count(*) AS c FROM items').get()).toEqual({ c: 1 });
    shelves.close();
  });
});
