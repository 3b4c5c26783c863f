import type { Clock } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { AuditEntry, AuditInput, AuditLog, AuditQuery } from '../ports/audit-log.js';
import type { SqliteDatabase } from './db.js';
import { applyMigrations } from './migrations.js';
import { authMigrations } from './migrations-auth.js';

export interface SqliteAuditLogOptions {
  clock: Clock;
  logger?: Logger;
  /** Rows kept; the oldest are deleted beyond it (they went to the cloud through the outbox already). */
  maxEntries?: number;
}

interface Row {
  id: number;
  at: number;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  outcome: AuditEntry['outcome'];
  address: string | null;
  detail: string;
}

const MAX_DETAIL_CHARS = 4_000;

/** The audit trail in registry.db (table `audit`), bounded to `maxEntries` rows. */
export class SqliteAuditLog implements AuditLog {
  private readonly maxEntries: number;
  private sincePrune = 0;
  private readonly insert;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteAuditLogOptions,
  ) {
    applyMigrations(db, 'auth', authMigrations);
    this.maxEntries = options.maxEntries ?? 100_000;
    this.insert = db.prepare<
      [number, string, string | null, string, string | null, string, string | null, string]
    >(
      `INSERT INTO audit (at, actor, role, action, target, outcome, address, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(input: AuditInput): void {
    const at = input.at ?? this.options.clock.now();
    let detail = JSON.stringify(input.detail ?? {});
    if (detail.length > MAX_DETAIL_CHARS)
      detail = JSON.stringify({ truncated: detail.slice(0, MAX_DETAIL_CHARS) });
    try {
      this.insert.run(
        at,
        input.actor,
        input.role,
        input.action,
        input.target,
        input.outcome,
        input.address,
        detail,
      );
      if (++this.sincePrune >= 100) this.prune();
    } catch (err) {
      this.options.logger?.error({ err, action: input.action }, 'audit entry could not be written');
    }
  }

  /**
   * Entries not yet handed to the outbox, oldest first (written by the gateway or by the CLI in another
   * process). The forwarder calls `markForwarded` once they are durable there: at-least-once, never lost.
   */
  unforwarded(limit = 500): AuditEntry[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM audit WHERE id > (SELECT last_id FROM audit_forwarded WHERE one = 1) ORDER BY id LIMIT ?',
      )
      .all(limit) as Row[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  markForwarded(id: number): void {
    this.db.prepare('UPDATE audit_forwarded SET last_id = MAX(last_id, ?) WHERE one = 1').run(id);
  }

  query(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.since !== undefined) where.push('at >= ?') && args.push(q.since);
    if (q.until !== undefined) where.push('at < ?') && args.push(q.until);
    if (q.actor !== undefined) where.push('actor = ?') && args.push(q.actor);
    if (q.action !== undefined)
      where.push("action LIKE ? ESCAPE '\\'") && args.push(`${likeEscape(q.action)}%`);
    const limit = Math.max(1, Math.min(10_000, Math.trunc(q.limit ?? 100)));
    const rows = this.db
      .prepare(
        `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args, limit) as Row[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
  }

  prune(): void {
    this.sincePrune = 0;
    this.db.prepare('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?').run(this.maxEntries);
  }
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
