import type { Migration } from './migrations.js';

/** Users, API tokens, browser sessions and the audit log; module `auth` in registry.db. */
export const authMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'users, api tokens, sessions, audit log',
    up(db) {
      db.exec(`
        CREATE TABLE users (
          name TEXT PRIMARY KEY,
          role TEXT NOT NULL,
          password_hash TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL
        );
        CREATE TABLE api_tokens (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          role TEXT NOT NULL,
          hash BLOB NOT NULL,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          last_used_at INTEGER
        );
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          hash BLOB NOT NULL,
          user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
          csrf TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user);
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL,
          role TEXT,
          action TEXT NOT NULL,
          target TEXT,
          outcome TEXT NOT NULL,
          address TEXT,
          detail TEXT NOT NULL
        );
        CREATE INDEX audit_at ON audit(at);
      `);
    },
  },
  {
    version: 2,
    description: 'audit forwarding watermark (entries up to last_id are in the outbox)',
    up(db) {
      db.exec(`CREATE TABLE audit_forwarded (one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL);
               INSERT INTO audit_forwarded (one, last_id) VALUES (1, 0);`);
    },
  },
];
