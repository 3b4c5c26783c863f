import Database from 'better-sqlite3';
import type { DataClass } from '../../core/events.js';
import {
  emptyTotals,
  type OutboxRow,
  type OutboxStorage,
  type RollupLevel,
  type StorageState,
  type StorageWrite,
} from './outbox-storage.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  ord INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data_class INTEGER NOT NULL,
  level INTEGER NOT NULL,
  t INTEGER NOT NULL,
  item TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS telemetry_by_level ON events(level, ord) WHERE data_class = 1;
CREATE TABLE IF NOT EXISTS streams (stream TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

const CLASS_CODE: Record<DataClass, number> = { must_deliver: 0, telemetry: 1 };
const CLASS_NAME: DataClass[] = ['must_deliver', 'telemetry'];

interface RawRow {
  ord: number;
  id: string;
  stream: string;
  seq: number;
  data_class: number;
  level: number;
  t: number;
  item: string;
  bytes: number;
  enqueued_at: number;
}

function toRow(r: RawRow): OutboxRow {
  return {
    ord: r.ord,
    id: r.id,
    stream: r.stream,
    seq: r.seq,
    dataClass: CLASS_NAME[r.data_class] ?? 'telemetry',
    level: r.level as RollupLevel,
    t: r.t,
    item: r.item,
    bytes: r.bytes,
    enqueuedAt: r.enqueued_at,
  };
}

/** Open (or create) an outbox database with the pragmas every reader and writer of it relies on. */
export function openOutboxDatabase(path: string, options: { readonly?: boolean } = {}): Database.Database {
  const db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on stable storage when it returns (power-loss safety for must-deliver events).
    db.pragma('synchronous = FULL');
    db.pragma('journal_size_limit = 67108864');
    db.exec(SCHEMA);
  }
  return db;
}

/** The durable storage: SQLite in WAL mode, one transaction per group commit. */
export class SqliteOutboxStorage implements OutboxStorage {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly upsertStream: Database.Statement;
  private readonly addCounter: Database.Statement;
  private readonly after: Database.Statement;
  private readonly telemetry: Database.Statement;
  private readonly oldest: Database.Statement;
  private readonly tx: (change: StorageWrite) => Array<Pick<OutboxRow, 'dataClass' | 'bytes'>>;

  constructor(readonly path: string) {
    this.db = openOutboxDatabase(path);
    this.insert = this.db.prepare(
      'INSERT INTO events (ord, id, stream, seq, data_class, level, t, item, bytes, enqueued_at) VALUES (?,?,?,?,?,?,?,?,?,?)',
    );
    // One statement for a whole ack group: per-row statements cost more than the delete itself.
    this.remove = this.db.prepare(
      'DELETE FROM events WHERE ord IN (SELECT value FROM json_each(?)) RETURNING data_class, bytes',
    );
    this.upsertStream = this.db.prepare(
      'INSERT INTO streams (stream, last_seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET last_seq = excluded.last_seq',
    );
    this.addCounter = this.db.prepare(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value',
    );
    this.after = this.db.prepare('SELECT * FROM events WHERE ord > ? ORDER BY ord LIMIT ?');
    this.telemetry = this.db.prepare(
      'SELECT * FROM events WHERE data_class = 1 AND level = ? AND ord > ? ORDER BY ord LIMIT ?',
    );
    this.oldest = this.db.prepare('SELECT enqueued_at FROM events ORDER BY ord LIMIT 1').pluck();
    this.tx = this.db.transaction((change: StorageWrite) => {
      const deleted: Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> = [];
      // Deletes first: a rollup re-uses the ord of the first row it replaces.
      if (change.deleteOrds.length > 0) {
        const gone = this.remove.all(JSON.stringify(change.deleteOrds)) as Array<{
          data_class: number;
          bytes: number;
        }>;
        for (const r of gone)
          deleted.push({ dataClass: CLASS_NAME[r.data_class] ?? 'telemetry', bytes: r.bytes });
      }
      for (const r of change.inserts) {
        this.insert.run(
          r.ord,
          r.id,
          r.stream,
          r.seq,
          CLASS_CODE[r.dataClass],
          r.level,
          r.t,
          r.item,
          r.bytes,
          r.enqueuedAt,
        );
      }
      for (const [stream, seq] of change.streamSeqs) this.upsertStream.run(stream, seq);
      for (const [name, n] of change.counters) this.addCounter.run(name, n);
      return deleted;
    });
  }

  load(): StorageState {
    const totals = emptyTotals();
    const byClass = this.db
      .prepare(
        'SELECT data_class, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM events GROUP BY data_class',
      )
      .all() as Array<{ data_class: number; n: number; b: number }>;
    for (const r of byClass) totals[CLASS_NAME[r.data_class] ?? 'telemetry'] = { count: r.n, bytes: r.b };
    const streams = this.db.prepare('SELECT stream, last_seq FROM streams').all() as Array<{
      stream: string;
      last_seq: number;
    }>;
    const counters = this.db.prepare('SELECT name, value FROM counters').all() as Array<{
      name: string;
      value: number;
    }>;
    const maxOrd = (this.db.prepare('SELECT COALESCE(MAX(ord), 0) FROM events').pluck().get() as number) ?? 0;
    return {
      totals,
      maxOrd,
      streamSeqs: new Map(streams.map((s) => [s.stream, s.last_seq])),
      counters: new Map(counters.map((c) => [c.name, c.value])),
    };
  }

  write(change: StorageWrite): Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> {
    return this.tx(change);
  }

  readAfter(afterOrd: number, limit: number): OutboxRow[] {
    return (this.after.all(afterOrd, limit) as RawRow[]).map(toRow);
  }

  oldestTelemetry(level: RollupLevel, afterOrd: number, limit: number): OutboxRow[] {
    return (this.telemetry.all(level, afterOrd, limit) as RawRow[]).map(toRow);
  }

  oldestEnqueuedAt(): number | null {
    return (this.oldest.get() as number | undefined) ?? null;
  }

  bytesEnqueuedSince(t: number): number {
    return bytesEnqueuedSince(this.db, t);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Shared by the live storage and the read-only status reader of `storegate outbox status`. */
export function bytesEnqueuedSince(db: Database.Database, t: number): number {
  return db
    .prepare('SELECT COALESCE(SUM(bytes), 0) FROM events WHERE enqueued_at >= ?')
    .pluck()
    .get(t) as number;
}
