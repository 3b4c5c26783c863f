import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { StoregateError } from '../core/errors.js';
import { type Identity, isRole, type Role } from '../core/identity.js';
import type {
  IdentityStore,
  NewSession,
  SessionIdentity,
  TokenInfo,
  UserInfo,
} from '../ports/identity-store.js';
import { hashSecretSync, type ScryptParams, verifySecretHash } from './credentials.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { applyMigrations } from './migrations.js';
import { authMigrations } from './migrations-auth.js';

/**
 * Passwords are chosen by people, so unlike device secrets they get a real work factor: N = 2^15 (32 MiB,
 * ~0.1 s on a Pi 4). Guessing is also limited by the login throttle before this runs.
 */
export const PASSWORD_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 32768, r: 8, p: 1, keyLength: 32 });
export const MIN_PASSWORD_LENGTH = 10;
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const TOKEN = /^sgt_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const SESSION = /^([a-z0-9]{16})\.([A-Za-z0-9_-]{43})$/;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

function assertName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new StoregateError('SG_BAD_ARGUMENT', `${kind} name "${name}" is not valid`, {
      hint: 'lowercase letters, digits, ".", "_" and "-", up to 64 characters',
    });
  }
}

function assertRole(role: string): asserts role is Role {
  if (!isRole(role)) {
    throw new StoregateError('SG_BAD_ARGUMENT', `unknown role "${role}"`, {
      hint: 'viewer, attendant, installer or admin',
    });
  }
}

export interface AuthStoreOptions {
  sessionTtlMs?: number;
  scrypt?: ScryptParams;
}

/** Users, API tokens and sessions in registry.db (see ports/identity-store.ts for the guarantees). */
export class SqliteAuthStore implements IdentityStore {
  private readonly sessionTtlMs: number;
  private readonly scryptParams: ScryptParams;
  /** Unknown users are checked against this so a wrong name costs as much as a wrong password. */
  private dummy: string | null = null;

  constructor(
    readonly db: SqliteDatabase,
    options: AuthStoreOptions = {},
  ) {
    applyMigrations(db, 'auth', authMigrations);
    this.sessionTtlMs = options.sessionTtlMs ?? 12 * 3_600_000;
    this.scryptParams = options.scrypt ?? PASSWORD_SCRYPT;
  }

  userCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  users(): UserInfo[] {
    return (
      this.db.prepare('SELECT name, role, created_at FROM users ORDER BY name').all() as Array<{
        name: string;
        role: Role;
        created_at: number;
      }>
    ).map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  addUser(name: string, role: string, password: string, createdBy: string, now: number): void {
    assertName('user', name);
    assertRole(role);
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new StoregateError(
        'SG_BAD_ARGUMENT',
        `a password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    }
    const hash = hashSecretSync(password, this.scryptParams);
    try {
      this.db
        .prepare(
          'INSERT INTO users (name, role, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
        )
        .run(name, role, hash, now, createdBy);
    } catch (err) {
      if (String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) {
        throw new StoregateError('SG_BAD_ARGUMENT', `user ${name} already exists`, {
          hint: 'use `storegate user passwd` or `storegate user remove` first',
        });
      }
      throw err;
    }
  }

  setPassword(name: string, password: string): void {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new StoregateError(
        'SG_BAD_ARGUMENT',
        `a password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    }
    const hash = hashSecretSync(password, this.scryptParams);
    const tx = this.db.transaction(() => {
      const r = this.db.prepare('UPDATE users SET password_hash = ? WHERE name = ?').run(hash, name);
      if (r.changes === 0) throw new StoregateError('SG_BAD_ARGUMENT', `no user ${name}`);
      // A new password ends every session opened with the old one.
      this.db.prepare('DELETE FROM sessions WHERE user = ?').run(name);
    });
    tx();
  }

  removeUser(name: string): boolean {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE user = ?').run(name);
      return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
    });
    return tx();
  }

  async verifyPassword(name: string, password: string): Promise<Identity | null> {
    const row = NAME.test(name)
      ? (this.db.prepare('SELECT role, password_hash FROM users WHERE name = ?').get(name) as
          | { role: Role; password_hash: string }
          | undefined)
      : undefined;
    this.dummy ??= hashSecretSync(randomBytes(16).toString('hex'), this.scryptParams);
    const ok = await verifySecretHash(password, row?.password_hash ?? this.dummy);
    return ok && row ? { kind: 'user', name, role: row.role } : null;
  }

  /** Create a named token; the returned value is shown once and only its hash is kept. */
  addToken(name: string, role: string, createdBy: string, now: number): string {
    assertName('token', name);
    assertRole(role);
    const id = randomId(12);
    const token = `sgt_${id}_${randomBytes(32).toString('base64url')}`;
    try {
      this.db
        .prepare(
          'INSERT INTO api_tokens (id, name, role, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(id, name, role, sha256(token), now, createdBy);
    } catch (err) {
      if (String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) {
        throw new StoregateError('SG_BAD_ARGUMENT', `a token named ${name} already exists`, {
          hint: 'revoke it first (`storegate token revoke`) or choose another name',
        });
      }
      throw err;
    }
    return token;
  }

  revokeToken(name: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(name).changes > 0;
  }

  tokens(): TokenInfo[] {
    return (
      this.db
        .prepare('SELECT name, role, created_at, created_by, last_used_at FROM api_tokens ORDER BY name')
        .all() as Array<{
        name: string;
        role: Role;
        created_at: number;
        created_by: string;
        last_used_at: number | null;
      }>
    ).map((r) => ({
      name: r.name,
      role: r.role,
      createdAt: r.created_at,
      createdBy: r.created_by,
      lastUsedAt: r.last_used_at,
    }));
  }

  verifyToken(raw: string, now: number): Identity | null {
    const m = TOKEN.exec(raw);
    if (!m) return null;
    const row = this.db
      .prepare('SELECT name, role, hash, last_used_at FROM api_tokens WHERE id = ?')
      .get(m[1]) as { name: string; role: Role; hash: Buffer; last_used_at: number | null } | undefined;
    if (!row || !timingSafeEqual(sha256(raw), row.hash)) return null;
    // Written at most once a minute: a lane display polling every second must not write every second.
    if (row.last_used_at === null || now - row.last_used_at > 60_000) {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, m[1]);
    }
    return { kind: 'token', name: row.name, role: row.role };
  }

  createSession(user: string, now: number): NewSession {
    const id = randomId(16);
    const secret = randomBytes(32).toString('base64url');
    const cookie = `${id}.${secret}`;
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = now + this.sessionTtlMs;
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    this.db
      .prepare(
        'INSERT INTO sessions (id, hash, user, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, sha256(cookie), user, csrf, now, expiresAt);
    return { cookie, csrf, expiresAt };
  }

  verifySession(raw: string, now: number): SessionIdentity | null {
    const m = SESSION.exec(raw);
    if (!m) return null;
    const row = this.db
      .prepare(
        `SELECT s.hash, s.csrf, s.expires_at, u.name, u.role FROM sessions s JOIN users u ON u.name = s.user
         WHERE s.id = ?`,
      )
      .get(m[1]) as { hash: Buffer; csrf: string; expires_at: number; name: string; role: Role } | undefined;
    if (!row || row.expires_at <= now || !timingSafeEqual(sha256(raw), row.hash)) return null;
    return {
      kind: 'user',
      name: row.name,
      role: row.role,
      sessionId: m[1]!,
      csrf: row.csrf,
      expiresAt: row.expires_at,
    };
  }

  endSession(raw: string): void {
    const m = SESSION.exec(raw);
    if (m) this.db.prepare('DELETE FROM sessions WHERE id = ?').run(m[1]);
  }

  close(): void {
    this.db.close();
  }
}

export function openAuthStore(file: string, options: AuthStoreOptions = {}): SqliteAuthStore {
  return new SqliteAuthStore(openDatabase(file), options);
}
