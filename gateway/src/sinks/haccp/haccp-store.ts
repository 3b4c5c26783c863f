import type { ColdAckData, ColdAlarmData, ColdDayData } from '../../core/coldchain-events.js';
import type { EventEnvelope } from '../../core/events.js';
import { openDatabase, type SqliteDatabase } from '../../registry/db.js';
import { type ChainProblem, type ChainRow, genesisHash, recordHash, verifyChain } from './hash-chain.js';

/** The chain of store-level records (the day figures); units are named by their configured ids. */
export const STORE_CHAIN = '@store';

const RECORDED: Record<string, string> = {
  'coldchain.sample': 'sample',
  'coldchain.alarm': 'alarm',
  'coldchain.gap': 'gap',
  'coldchain.ack': 'ack',
  'coldchain.day': 'day',
};

export interface AlarmRecord extends Omit<ColdAlarmData, 'state'> {
  acks: Omit<ColdAckData, 'alarm_id' | 'unit'>[];
}

export interface VerifyResult {
  ok: boolean;
  units: { unit: string; records: number; head: { seq: number; hash: string } | null }[];
  problems: ChainProblem[];
}

/**
 * The HACCP record (`${dataDir}/haccp.db`): every sample, alarm, gap, acknowledgement and day figure, append
 * only, in one hash chain per unit (docs/coldchain.md "The record"). A head per unit is written in the same
 * transaction as its record; pruning past the retention leaves an anchor where the kept chain starts.
 * The CLI opens the same file (WAL) to verify and report while the gateway writes.
 */
export class HaccpStore {
  private readonly db: SqliteDatabase;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = openDatabase(file, options);
    if (options.readonly) return;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS chain (
        unit TEXT NOT NULL, seq INTEGER NOT NULL, t INTEGER NOT NULL, kind TEXT NOT NULL, ref TEXT,
        body TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (unit, seq)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS chain_kind_t ON chain (kind, t);
      CREATE INDEX IF NOT EXISTS chain_ref ON chain (ref);
      CREATE TABLE IF NOT EXISTS heads (unit TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS anchors (
        unit TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, pruned_before INTEGER NOT NULL);
    `);
  }

  /** Append the cold-chain events of a durable batch (others are ignored); one transaction. */
  record(events: readonly EventEnvelope[]): number {
    const rows = events.filter((e) => RECORDED[e.type] !== undefined);
    if (rows.length === 0) return 0;
    const head = this.db.prepare('SELECT seq, hash FROM heads WHERE unit = ?');
    const insert = this.db.prepare(
      'INSERT INTO chain (unit, seq, t, kind, ref, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const setHead = this.db.prepare(
      'INSERT INTO heads (unit, seq, hash) VALUES (?, ?, ?) ON CONFLICT (unit) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    );
    this.db
      .transaction(() => {
        const heads = new Map<string, { seq: number; hash: string }>();
        for (const e of rows) {
          const kind = RECORDED[e.type]!;
          const unit = kind === 'day' ? STORE_CHAIN : String(e.data.unit);
          const h = heads.get(unit) ??
            (head.get(unit) as { seq: number; hash: string } | undefined) ?? {
              seq: 0,
              hash: genesisHash(unit),
            };
          const ref =
            kind === 'alarm'
              ? String(e.data.id)
              : kind === 'ack'
                ? String(e.data.alarm_id)
                : kind === 'day'
                  ? String(e.data.day)
                  : null;
          const row = { unit, seq: h.seq + 1, t: e.t, kind, ref, body: JSON.stringify(e.data), prev: h.hash };
          const hash = recordHash(row);
          insert.run(row.unit, row.seq, row.t, row.kind, row.ref, row.body, row.prev, hash);
          heads.set(unit, { seq: row.seq, hash });
        }
        for (const [unit, h] of heads) setHead.run(unit, h.seq, h.hash);
      })
      .immediate();
    return rows.length;
  }

  verify(): VerifyResult {
    const heads = new Map(
      (
        this.db.prepare('SELECT unit, seq, hash FROM heads').all() as {
          unit: string;
          seq: number;
          hash: string;
        }[]
      ).map((h) => [h.unit, { seq: h.seq, hash: h.hash }]),
    );
    const anchors = new Map(
      (
        this.db.prepare('SELECT unit, seq, hash FROM anchors').all() as {
          unit: string;
          seq: number;
          hash: string;
        }[]
      ).map((a) => [a.unit, { seq: a.seq, hash: a.hash }]),
    );
    const units = new Set([
      ...heads.keys(),
      ...(this.db.prepare('SELECT DISTINCT unit FROM chain').pluck().all() as string[]),
    ]);
    const rowsOf = this.db.prepare('SELECT * FROM chain WHERE unit = ? ORDER BY seq');
    const result: VerifyResult = { ok: true, units: [], problems: [] };
    for (const unit of [...units].sort()) {
      const start = anchors.get(unit) ?? { seq: 0, hash: genesisHash(unit) };
      const head = heads.get(unit);
      const v = verifyChain(unit, rowsOf.iterate(unit) as Iterable<ChainRow>, start, head);
      result.units.push({ unit, records: v.records, head: head ?? null });
      result.problems.push(...v.problems);
    }
    result.ok = result.problems.length === 0;
    return result;
  }

  /** Alarms overlapping [from, to), with their acknowledgements, oldest first. */
  alarms(from: number, to: number): AlarmRecord[] {
    const rows = this.db
      .prepare("SELECT ref, body FROM chain WHERE kind = 'alarm' AND t >= ? AND t < ? ORDER BY t, unit, seq")
      .all(from - 31 * 86_400_000, to + 31 * 86_400_000) as { ref: string; body: string }[];
    const byId = new Map<string, AlarmRecord>();
    for (const r of rows) {
      const { state: _state, ...data } = JSON.parse(r.body) as ColdAlarmData;
      byId.set(r.ref, { ...data, acks: byId.get(r.ref)?.acks ?? [] });
    }
    const out = [...byId.values()].filter(
      (a) => a.started_at < to && (a.ended_at === null || a.ended_at >= from),
    );
    for (const a of out) a.acks = this.acksOf(a.id);
    return out;
  }

  alarm(id: string): AlarmRecord | null {
    const rows = this.db
      .prepare("SELECT body FROM chain WHERE kind = 'alarm' AND ref = ? ORDER BY t")
      .pluck()
      .all(id) as string[];
    if (rows.length === 0) return null;
    const { state: _state, ...data } = JSON.parse(rows.at(-1)!) as ColdAlarmData;
    return { ...data, acks: this.acksOf(id) };
  }

  day(label: string): ColdDayData | null {
    const body = this.db
      .prepare("SELECT body FROM chain WHERE unit = ? AND kind = 'day' AND ref = ? ORDER BY seq DESC LIMIT 1")
      .pluck()
      .get(STORE_CHAIN, label) as string | undefined;
    return body === undefined ? null : (JSON.parse(body) as ColdDayData);
  }

  heads(): { unit: string; seq: number; hash: string }[] {
    return this.db.prepare('SELECT unit, seq, hash FROM heads ORDER BY unit').all() as {
      unit: string;
      seq: number;
      hash: string;
    }[];
  }

  /** Delete records older than `before`, leaving per unit an anchor (the last deleted record's seq and hash). */
  prune(before: number): number {
    let deleted = 0;
    this.db
      .transaction(() => {
        const last = this.db
          .prepare('SELECT unit, MAX(seq) AS seq FROM chain WHERE t < ? GROUP BY unit')
          .all(before) as { unit: string; seq: number }[];
        for (const { unit, seq } of last) {
          const hash = this.db
            .prepare('SELECT hash FROM chain WHERE unit = ? AND seq = ?')
            .pluck()
            .get(unit, seq);
          this.db
            .prepare(
              'INSERT INTO anchors (unit, seq, hash, pruned_before) VALUES (?, ?, ?, ?) ON CONFLICT (unit) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, pruned_before = excluded.pruned_before',
            )
            .run(unit, seq, hash, before);
          deleted += this.db.prepare('DELETE FROM chain WHERE unit = ? AND seq <= ?').run(unit, seq).changes;
        }
      })
      .immediate();
    return deleted;
  }

  close(): void {
    this.db.close();
  }

  private acksOf(id: string): AlarmRecord['acks'] {
    return (
      this.db
        .prepare("SELECT body FROM chain WHERE kind = 'ack' AND ref = ? ORDER BY t")
        .pluck()
        .all(id) as string[]
    ).map((b) => {
      const { alarm_id: _a, unit: _u, ...ack } = JSON.parse(b) as ColdAckData;
      return ack;
    });
  }
}
