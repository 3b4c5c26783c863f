import type { Identity, Role } from '../core/identity.js';

/** A logged-in browser session: the identity plus the CSRF token its state-changing requests must carry. */
export interface SessionIdentity extends Identity {
  sessionId: string;
  csrf: string;
  expiresAt: number;
}

export interface NewSession {
  /** The cookie value (`<id>.<secret>`); only its hash is stored. */
  cookie: string;
  csrf: string;
  expiresAt: number;
}

export interface TokenInfo {
  name: string;
  role: Role;
  createdAt: number;
  createdBy: string;
  lastUsedAt: number | null;
}

export interface UserInfo {
  name: string;
  role: Role;
  createdAt: number;
}

/**
 * Local users, API tokens and browser sessions (implemented by registry/auth-store.ts on registry.db).
 * Guarantees: passwords are stored only as scrypt hashes, tokens and session cookies only as SHA-256 hashes
 * (they carry 256 random bits); a removed user's sessions and a revoked token stop working on the next
 * request (nothing is cached); every lookup is read from the database, so the CLI and the gateway process see
 * each other's changes at once.
 */
export interface IdentityStore {
  userCount(): number;
  /** Scrypt check; null for an unknown user or a wrong password (same cost either way). */
  verifyPassword(name: string, password: string): Promise<Identity | null>;
  /** `Authorization: Bearer <token>`; null when unknown, revoked or malformed. */
  verifyToken(raw: string, now: number): Identity | null;
  createSession(user: string, now: number): NewSession;
  /** The session cookie's value; null when unknown, expired or its user was removed. */
  verifySession(raw: string, now: number): SessionIdentity | null;
  endSession(raw: string): void;
}
