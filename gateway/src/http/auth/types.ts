import type { Identity, Role } from '../../core/identity.js';
import type { SessionIdentity } from '../../ports/identity-store.js';

/**
 * Per-route access, declared where the route is registered:
 *   http.post('/api/x', { config: { role: 'installer' } }, handler)
 * Without `role`, GET/HEAD need `viewer` and every other method needs `admin` (deny by default).
 * `anonymous: 'always'` makes a route public (only /healthz, the login page and the login API are);
 * `'loopback'` lets requests from this machine in without credentials (/metrics for a local Prometheus).
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    role?: Role;
    anonymous?: 'always' | 'loopback';
  }
  interface FastifyRequest {
    /** Who is calling, resolved before any handler runs; null only on anonymous-allowed routes. */
    identity: Identity | null;
    /** Set when the identity came from a browser session cookie. */
    session: SessionIdentity | null;
  }
}

export type { Identity, Role };
