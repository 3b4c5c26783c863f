import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { DataClass } from '../../core/events.js';
import {
  emptyTotals,
  type OutboxRow,
  type OutboxStorage,
  type RollupLevel,
  type RowLevel,
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
CREATE INDEX IF NOT EXISTS compactable_by_ord ON events(ord) WHERE data_class = 1 OR level = 4;
CREATE TABLE IF NOT EXISTS streams (stream TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
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
    level: r.level as RowLevel,
    t: r.t,
    item: r.item,
    bytes: r.bytes,
    enqueuedAt: r.enqueued_at,
  };
}

export interface OpenOutboxDatabaseOptions {
  readonly?: boolean;
  /** WAL pages before an automatic checkpoint: bounded so a checkpoint always fits in the disk reserve. */
  autocheckpointPages?: number;
  /** Run `PRAGMA quick_check` before anything else and throw `OutboxCorruptError` if it fails. */
  check?: boolean;
}

/** Thrown when an outbox database fails its integrity check on open. */
export class OutboxCorruptError extends Error {}

/** Open (or create) an outbox database with the pragmas every reader and writer of it relies on. */
export function openOutboxDatabase(path: string, options: OpenOutboxDatabaseOptions = {}): Database.Database {
  const db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
  try {
    db.pragma('busy_timeout = 5000');
    if (options.check) {
      const problems = db.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>;
      const text = problems.map((p) => p.quick_check).join('; ');
      if (text !== 'ok') throw new OutboxCorruptError(`quick_check failed: ${text}`);
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on stable storage when it returns (power-loss safety for must-deliver events).
      db.pragma('synchronous = FULL');
      db.pragma('journal_size_limit = 67108864');
      if (options.autocheckpointPages) db.pragma(`wal_autocheckpoint = ${options.autocheckpointPages}`);
      db.exec(SCHEMA);
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export interface SqliteStorageOptions {
  /** Epoch to record if the database has none yet (a new file, or one from before epochs). */
  epochIfNew: number;
  /** Wall-clock ms recorded as the epoch's start (with the epoch). */
  now: number;
  autocheckpointPages?: number;
  check?: boolean;
}

/** The durable storage: SQLite in WAL mode, one transaction per group commit. */
export class SqliteOutboxStorage implements OutboxStorage {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly upsertStream: Database.Statement;
  private readonly addCounter: Database.Statement;
  private readonly setMeta: Database.Statement;
  private readonly deleteMeta: Database.Statement;
  private readonly after: Database.Statement;
  private readonly telemetry: Database.Statement;
  private readonly compactable: Database.Statement;
  private readonly oldest: Database.Statement;
  private readonly freelist: Database.Statement;
  private readonly tx: (change: StorageWrite) => Array<Pick<OutboxRow, 'dataClass' | 'bytes'>>;
  readonly pageSize: number;

  constructor(
    readonly path: string,
    options: SqliteStorageOptions,
  ) {
    this.db = openOutboxDatabase(path, {
      ...(options.autocheckpointPages ? { autocheckpointPages: options.autocheckpointPages } : {}),
      check: options.check ?? false,
    });
    try {
      this.pageSize = this.db.pragma('page_size', { simple: true }) as number;
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
      this.setMeta = this.db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      );
      this.deleteMeta = this.db.prepare('DELETE FROM meta WHERE key = ?');
      this.after = this.db.prepare('SELECT * FROM events WHERE ord > ? ORDER BY ord LIMIT ?');
      this.telemetry = this.db.prepare(
        'SELECT * FROM events WHERE data_class = 1 AND level = ? AND ord > ? ORDER BY ord LIMIT ?',
      );
      this.compactable = this.db.prepare(
        'SELECT * FROM events WHERE (data_class = 1 OR level = 4) AND ord > ? ORDER BY ord LIMIT ?',
      );
      this.oldest = this.db.prepare('SELECT enqueued_at FROM events ORDER BY ord LIMIT 1').pluck();
      this.freelist = this.db.prepare('PRAGMA freelist_count').pluck();
      this.tx = this.db.transaction((change: StorageWrite) => this.apply(change));
      this.initialise(options.epochIfNew, options.now);
    } catch (err) {
      // A file that is not (or no longer) a database fails here: release it before it is moved aside.
      this.db.close();
      throw err;
    }
  }

  private initialise(epochIfNew: number, now: number): void {
    const epoch = this.db.prepare("SELECT value FROM meta WHERE key = 'epoch'").pluck().get();
    if (epoch !== undefined) return;
    this.tx({
      inserts: [],
      deleteOrds: [],
      streamSeqs: new Map(),
      counters: new Map(),
      meta: new Map([
        ['epoch', String(epochIfNew)],
        ['epoch_started_at', String(now)],
      ]),
    });
    // The main file holds the schema from the first moment on: an empty file then always means a loss.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private apply(change: StorageWrite): Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> {
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
    for (const [key, value] of change.meta ?? []) {
      if (value === null) this.deleteMeta.run(key);
      else this.setMeta.run(key, value);
    }
    return deleted;
  }

  load(): StorageState {
    const state = readStoredState(this.db);
    const maxOrd = (this.db.prepare('SELECT COALESCE(MAX(ord), 0) FROM events').pluck().get() as number) ?? 0;
    return { ...state, maxOrd };
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

  compactableAfter(afterOrd: number, limit: number): OutboxRow[] {
    return (this.compactable.all(afterOrd, limit) as RawRow[]).map(toRow);
  }

  oldestEnqueuedAt(): number | null {
    return (this.oldest.get() as number | undefined) ?? null;
  }

  bytesEnqueuedSince(t: number): number {
    return bytesEnqueuedSince(this.db, t);
  }

  reclaimableBytes(): number {
    return (this.freelist.get() as number) * this.pageSize;
  }

  /**
   * VACUUM, then a truncating checkpoint. Not auto_vacuum=INCREMENTAL: its pointer-map pages made every delete
   * dearer (the drain of a 1,000,000-event backlog ran at 35k instead of 50k events/s), and the outbox only
   * needs to shrink after a drain, when what is left to copy is small.
   */
  shrink(): number {
    const before = this.fileBytes();
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return Math.max(0, before - this.fileBytes());
  }

  /** Bytes of the database file plus its WAL on disk. */
  fileBytes(): number {
    return sizeOf(this.path) + sizeOf(`${this.path}-wal`);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What a database holds besides its rows: shared by the live storage, the status reader and loss reports. */
export function readStoredState(db: Database.Database): Omit<StorageState, 'maxOrd'> {
  const totals = emptyTotals();
  const byClass = db
    .prepare('SELECT data_class, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM events GROUP BY data_class')
    .all() as Array<{ data_class: number; n: number; b: number }>;
  for (const r of byClass) totals[CLASS_NAME[r.data_class] ?? 'telemetry'] = { count: r.n, bytes: r.b };
  const streams = db.prepare('SELECT stream, last_seq FROM streams').all() as Array<{
    stream: string;
    last_seq: number;
  }>;
  const counters = db.prepare('SELECT name, value FROM counters').all() as Array<{
    name: string;
    value: number;
  }>;
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  const meta = new Map(
    hasMeta
      ? (db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map(
          (m) => [m.key, m.value],
        )
      : [],
  );
  return {
    epoch: Number(meta.get('epoch') ?? 0),
    totals,
    streamSeqs: new Map(streams.map((s) => [s.stream, s.last_seq])),
    counters: new Map(counters.map((c) => [c.name, c.value])),
    meta,
  };
}

/** Shared by the live storage and the read-only status reader of `storegate outbox status`. */
export function bytesEnqueuedSince(db: Database.Database, t: number): number {
  return db
    .prepare('SELECT COALESCE(SUM(bytes), 0) FROM events WHERE enqueued_at >= ?')
    .pluck()
    .get(t) as number;
}
