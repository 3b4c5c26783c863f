import type { Role } from '../../core/identity.js';

/**
 * Route options for a WebSocket endpoint. The upgrade request runs through the same onRequest hook as every
 * route (auth-plugin.ts): Host allow-list, same-origin `Origin` (required for browser sessions), identity and
 * `role` — all before the socket is upgraded, so a refused client gets a plain HTTP 401/403/421.
 *   scope.get('/api/lanes/:id/ws', wsRoute('viewer'), (socket, req) => { … req.identity … })
 */
export function wsRoute(role: Role): { websocket: true; config: { role: Role } } {
  return { websocket: true, config: { role } };
}
