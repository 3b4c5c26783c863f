import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import { conversionRate, type DayRecord, type MinuteRecord } from '../../core/footfall-records.js';
import { openDatabase, type SqliteDatabase } from '../../registry/db.js';
import {
  type DaySummary,
  type FootfallQuery,
  type FootfallRow,
  type FootfallStore,
  MINUTE_MS,
} from './footfall-store.js';

const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Embedded default: minute rollups in SQLite (`${dataDir}/footfall.db`), kept `rollupDays` days. Writes are
 * synchronous and tiny (one row per minute plus one per active door), so there is nothing to buffer.
 */
export class SqliteRollupStore implements FootfallStore {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDatabase;
  private pruneTimer: TimerHandle | null = null;

  constructor(
    file: string,
    private readonly opts: { store: string; rollupDays: number; clock: Clock },
  ) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS minutes (
        store TEXT NOT NULL, t INTEGER NOT NULL, entries INTEGER NOT NULL, exits INTEGER NOT NULL,
        occupancy INTEGER NOT NULL, transactions INTEGER NOT NULL, occupancy_corrected INTEGER,
        PRIMARY KEY (store, t)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS door_minutes (
        store TEXT NOT NULL, door TEXT NOT NULL, t INTEGER NOT NULL, entries INTEGER NOT NULL, exits INTEGER NOT NULL,
        PRIMARY KEY (store, door, t)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS days (
        store TEXT NOT NULL, day_start INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (store, day_start));
    `);
  }

  async start(): Promise<void> {
    this.prune();
    const loop = () => {
      this.pruneTimer = this.opts.clock.setTimeout(() => {
        this.prune();
        loop();
      }, PRUNE_EVERY_MS);
    };
    loop();
  }

  writeMinute(r: MinuteRecord): void {
    const minute = this.db.prepare(
      `INSERT INTO minutes (store, t, entries, exits, occupancy, transactions) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (store, t) DO UPDATE SET entries = excluded.entries, exits = excluded.exits,
         occupancy = excluded.occupancy, transactions = excluded.transactions`,
    );
    const door = this.db.prepare(
      `INSERT OR REPLACE INTO door_minutes (store, door, t, entries, exits) VALUES (?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      minute.run(r.store, r.t, r.in, r.out, r.occupancy, r.transactions);
      for (const [id, c] of Object.entries(r.doors)) door.run(r.store, id, r.t, c.in, c.out);
    })();
  }

  writeDay(r: DayRecord): void {
    const update = this.db.prepare('UPDATE minutes SET occupancy_corrected = ? WHERE store = ? AND t = ?');
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO days (store, day_start, record) VALUES (?, ?, ?)')
        .run(r.store, r.day_start, JSON.stringify({ ...r, corrected_occupancy: undefined }));
      r.corrected_occupancy.forEach((occ, i) => {
        update.run(occ, r.store, r.minute_t0 + i * MINUTE_MS);
      });
    })();
  }

  async flush(): Promise<void> {}

  async query(q: FootfallQuery): Promise<FootfallRow[]> {
    const rows = this.db
      .prepare(
        `SELECT t - (t % @step) AS bucket, SUM(entries) AS entries, SUM(exits) AS exits,
                SUM(transactions) AS transactions, MAX(t) AS last_t
         FROM minutes WHERE store = @store AND t >= @from AND t < @to GROUP BY bucket ORDER BY bucket`,
      )
      .all({ step: q.stepMs, store: this.opts.store, from: q.from, to: q.to }) as {
      bucket: number;
      entries: number;
      exits: number;
      transactions: number;
      last_t: number;
    }[];
    const last = this.db.prepare('SELECT occupancy FROM minutes WHERE store = ? AND t = ?');
    const corrected = this.db.prepare(
      `SELECT occupancy_corrected AS c FROM minutes WHERE store = ? AND t >= ? AND t <= ?
       AND occupancy_corrected IS NOT NULL ORDER BY t DESC LIMIT 1`,
    );
    const doorRows = q.door ? this.doorBuckets(q) : null;
    return rows.map((r) => {
      const l = last.get(this.opts.store, r.last_t) as { occupancy: number };
      const c = corrected.get(this.opts.store, r.bucket, r.last_t) as { c: number } | undefined;
      const d = doorRows?.get(r.bucket) ?? (doorRows ? { entries: 0, exits: 0 } : null);
      const entries = d ? d.entries : r.entries;
      return {
        t: r.bucket,
        in: entries,
        out: d ? d.exits : r.exits,
        transactions: r.transactions,
        occupancy: l.occupancy,
        occupancy_corrected: c ? c.c : null,
        conversion: conversionRate(r.transactions, entries),
      };
    });
  }

  async days(from: number, to: number): Promise<DaySummary[]> {
    const rows = this.db
      .prepare(
        'SELECT record FROM days WHERE store = ? AND day_start >= ? AND day_start < ? ORDER BY day_start',
      )
      .all(this.opts.store, from, to) as { record: string }[];
    return rows.map((r) => {
      const d = JSON.parse(r.record) as DayRecord;
      return {
        day_start: d.day_start,
        in: d.in,
        out: d.out,
        residual: d.residual,
        scale: d.scale,
        transactions: d.transactions,
        conversion: conversionRate(d.transactions, d.in),
        doors: d.doors,
      };
    });
  }

  async close(): Promise<void> {
    if (this.pruneTimer) this.opts.clock.clearTimeout(this.pruneTimer);
    this.db.close();
  }

  private doorBuckets(q: FootfallQuery): Map<number, { entries: number; exits: number }> {
    const rows = this.db
      .prepare(
        `SELECT t - (t % @step) AS bucket, SUM(entries) AS entries, SUM(exits) AS exits FROM door_minutes
         WHERE store = @store AND door = @door AND t >= @from AND t < @to GROUP BY bucket`,
      )
      .all({ step: q.stepMs, store: this.opts.store, door: q.door, from: q.from, to: q.to }) as {
      bucket: number;
      entries: number;
      exits: number;
    }[];
    return new Map(rows.map((r) => [r.bucket, r]));
  }

  private prune(): void {
    const cutoff = this.opts.clock.now() - this.opts.rollupDays * DAY_MS;
    for (const table of ['minutes', 'door_minutes']) {
      this.db.prepare(`DELETE FROM ${table} WHERE t < ?`).run(cutoff);
    }
    this.db.prepare('DELETE FROM days WHERE day_start < ?').run(cutoff);
  }
}
