import type { Migration } from './migrations.js';

/** Schema of checkout.db (the lane catalog cache and learned weights). */
export const catalogMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'catalog items, catalog version, learned weights',
    up(db) {
      db.exec(`
        CREATE TABLE catalog_meta (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          version INTEGER NOT NULL,
          source TEXT NOT NULL,
          applied_at INTEGER NOT NULL,
          item_count INTEGER NOT NULL
        );
        CREATE TABLE catalog_items (
          gtin_key TEXT PRIMARY KEY,
          gtin TEXT NOT NULL,
          sku TEXT NOT NULL,
          name TEXT,
          grams REAL,
          tolerance_grams REAL,
          weight_exempt INTEGER NOT NULL,
          sold_by_weight INTEGER NOT NULL,
          age_restricted INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE learned_weights (
          gtin_key TEXT PRIMARY KEY,
          n INTEGER NOT NULL,
          weight REAL NOT NULL,
          mean REAL NOT NULL,
          m2 REAL NOT NULL,
          recent TEXT NOT NULL,
          rejected INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'learned weights: confirmed reference of the daily drift bound',
    up(db) {
      db.exec(`
        ALTER TABLE learned_weights ADD COLUMN anchor REAL;
        ALTER TABLE learned_weights ADD COLUMN anchor_at INTEGER;
      `);
    },
  },
  {
    version: 3,
    description: 'digest of the catalog last imported from checkout.catalog of the config',
    up(db) {
      db.exec(`
        CREATE TABLE catalog_seed (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          digest TEXT NOT NULL,
          applied_at INTEGER NOT NULL
        );
      `);
    },
  },
];
