import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import type { StoreEvent } from '../../core/events.js';
import { registerAuth } from '../../http/auth/auth-plugin.js';
import { registerLoginRoutes } from '../../http/auth/login-routes.js';
import type { AuditEntry } from '../../ports/audit-log.js';
import { SqliteAuditLog } from '../../registry/audit-log.js';
import { SqliteAuthStore } from '../../registry/auth-store.js';
import { openDatabase } from '../../registry/db.js';
import { registerAuditRoutes } from './audit-routes.js';

/** An audit entry as the cloud receives it: a must-deliver event on stream `audit`. */
export function auditEvent(entry: AuditEntry): StoreEvent {
  return {
    type: 'audit.entry',
    t: entry.at,
    stream: 'audit',
    dataClass: 'must_deliver',
    data: {
      audit_id: entry.id,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      address: entry.address,
      detail: entry.detail,
    },
  };
}

export interface AccessControl {
  readonly store: SqliteAuthStore;
  readonly audit: SqliteAuditLog;
  close(): void;
}

/**
 * Users, tokens, sessions and the audit log on registry.db, the auth hook on the HTTP server (before any
 * feature adds a route) and the login/audit routes. AuditForwarder hands the entries to the outbox.
 */
export function openAccessControl(deps: {
  config: LoadedConfig;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  http: FastifyInstance;
}): AccessControl {
  const { config, clock, logger } = deps;
  const db = openDatabase(join(config.dataDir, 'registry.db'));
  const store = new SqliteAuthStore(db, { sessionTtlMs: config.http.session_ttl_ms });
  const audit = new SqliteAuditLog(db, {
    clock,
    logger,
    maxEntries: config.http.audit_max_entries,
  });
  registerAuth(deps.http, { store, audit, clock, config: config.http, metrics: deps.metrics });
  registerLoginRoutes(deps.http, {
    store,
    audit,
    clock,
    config: config.http,
    // Over plain HTTP a Secure cookie would never be sent back (docs/security.md).
    secure: config.http.tls !== undefined,
  });
  registerAuditRoutes(deps.http, audit);
  return { store, audit, close: () => db.close() };
}
