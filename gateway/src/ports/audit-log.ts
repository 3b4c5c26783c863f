/** One audited action: who did what to what, when, and how it ended. snake_case: this is the wire form. */
export interface AuditEntry {
  id: number;
  at: number;
  /** `user:alice`, `token:lane-display-1`, `cli:root`, `anonymous`, … — resolved by the gateway. */
  actor: string;
  role: string | null;
  /** `http.put /api/planogram`, `lane.override`, `login.failed`, `user.add`, … */
  action: string;
  target: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  address: string | null;
  detail: Record<string, unknown>;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export interface AuditQuery {
  since?: number;
  until?: number;
  actor?: string;
  action?: string;
  limit?: number;
}

/**
 * The audit trail of people's actions (registry/audit-log.ts, SQLite, bounded). `record` never throws: an
 * audit write failure is logged and counted by the implementation, it does not fail the action it describes.
 */
export interface AuditLog {
  record(entry: AuditInput): void;
  query(q?: AuditQuery): AuditEntry[];
}

/** For tests and for gateways built without a registry file. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditInput): void {
    this.entries.push({ ...entry, id: this.entries.length + 1, at: entry.at ?? 0 });
  }
  query(q: AuditQuery = {}): AuditEntry[] {
    return this.entries
      .filter(
        (e) =>
          (q.since === undefined || e.at >= q.since) &&
          (q.until === undefined || e.at < q.until) &&
          (q.actor === undefined || e.actor === q.actor) &&
          (q.action === undefined || e.action.startsWith(q.action)),
      )
      .slice(-(q.limit ?? 100))
      .reverse();
  }
}
