import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Role } from '../../gateway/src/core/identity.js';
import { openAuthStore } from '../../gateway/src/registry/auth-store.js';

/**
 * Tests authenticate like any script: with an API token created through the same store `storegate token add`
 * uses, in the gateway's registry.db. Works for in-process gateways and for gateways in a child process
 * (WAL: both may have the file open).
 */
export function seedToken(
  dataDir: string,
  role: Role = 'admin',
  name = `test-${randomBytes(4).toString('hex')}`,
): string {
  const store = openAuthStore(join(dataDir, 'registry.db'));
  try {
    return store.addToken(name, role, 'test', Date.now());
  } finally {
    store.close();
  }
}

/** Create a user through the same store `storegate user add` uses. */
export function seedUser(dataDir: string, name: string, role: Role, password: string): void {
  const store = openAuthStore(join(dataDir, 'registry.db'));
  try {
    store.addUser(name, role, password, 'test', Date.now());
  } finally {
    store.close();
  }
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** `fetch` that sends the token. */
export function authedFetch(token: string): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) =>
    fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), ...bearer(token) },
    });
}
