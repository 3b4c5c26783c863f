import type { Migration } from './migrations.js';

/** Schema of the device registry (module `devices` in schema_version). Append new steps; never edit old ones. */
export const deviceMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'devices with location, labels, last seen, firmware and a scrypt secret hash',
    up(db) {
      db.exec(`
        CREATE TABLE devices (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          zone TEXT, aisle TEXT, fixture TEXT, shelf TEXT, lane TEXT, door TEXT,
          labels TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL,
          last_seen_at INTEGER,
          firmware TEXT,
          secret_hash TEXT NOT NULL,
          secret_changed_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX devices_kind ON devices(kind);
      `);
    },
  },
];
