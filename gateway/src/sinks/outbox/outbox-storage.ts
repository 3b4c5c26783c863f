import type { DataClass } from '../../core/events.js';

/** Compaction level of a telemetry row: raw event, or a rollup of 1 min / 15 min / 1 h. */
export type RollupLevel = 0 | 1 | 2 | 3;
/**
 * Level of a gap marker (`outbox.dropped`): a must-deliver row that stands for telemetry dropped under budget
 * pressure. Markers of one stream may be merged into one covering marker, never dropped.
 */
export const MARKER_LEVEL = 4;
export type RowLevel = RollupLevel | typeof MARKER_LEVEL;

/** One queued event as stored. `item` is its wire JSON without the epoch (the epoch is the database's). */
export interface OutboxRow {
  /** Delivery order across all streams; a rollup or marker takes the ord of the first event it replaces. */
  ord: number;
  id: string;
  stream: string;
  seq: number;
  dataClass: DataClass;
  level: RowLevel;
  t: number;
  item: string;
  /** Accounted size: item bytes plus a fixed per-row overhead. */
  bytes: number;
  enqueuedAt: number;
}

export interface ClassTotals {
  count: number;
  bytes: number;
}

export type Totals = Record<DataClass, ClassTotals>;

/** One atomic change: either all of it is durable, or none of it (the write throws). */
export interface StorageWrite {
  inserts: readonly OutboxRow[];
  deleteOrds: readonly number[];
  /** Last assigned seq per touched stream. */
  streamSeqs: ReadonlyMap<string, number>;
  /** Increments of persisted counters (`compacted:raw_to_1m`, `dropped:budget_exhausted`, ...). */
  counters: ReadonlyMap<string, number>;
  /** Persisted state values (`refusing_since`, ...); null deletes the key. */
  meta?: ReadonlyMap<string, string | null>;
}

export interface StorageState {
  /** Stream epoch of this store: a new store (after a loss) gets a new one, so a seq is never reused. */
  epoch: number;
  streamSeqs: Map<string, number>;
  maxOrd: number;
  totals: Totals;
  counters: Map<string, number>;
  meta: Map<string, string>;
}

/**
 * Where outbox rows live. Guarantees: `write` is atomic and, for the SQLite storage, durable (fsync) when it
 * returns; `write` returns the class and bytes of the rows it actually deleted (deleting an absent ord is a
 * no-op), so totals never drift; reads see only committed rows, in ord order.
 */
export interface OutboxStorage {
  load(): StorageState;
  write(change: StorageWrite): Array<Pick<OutboxRow, 'dataClass' | 'bytes'>>;
  /** Rows with ord > afterOrd, in ord order, at most `limit`. */
  readAfter(afterOrd: number, limit: number): OutboxRow[];
  /** Oldest telemetry rows of a level with ord > afterOrd. */
  oldestTelemetry(level: RollupLevel, afterOrd: number, limit: number): OutboxRow[];
  /** Telemetry rows of every level and gap markers with ord > afterOrd, in ord order: what compaction sees. */
  compactableAfter(afterOrd: number, limit: number): OutboxRow[];
  oldestEnqueuedAt(): number | null;
  /** Bytes of events still queued that were enqueued at or after `t` (recent backlog growth). */
  bytesEnqueuedSince(t: number): number;
  /** Bytes the store can reuse without growing on disk (SQLite: free pages inside the file). */
  reclaimableBytes(): number;
  /** Give reusable space back to the filesystem (rewrites what is queued); returns the bytes the files shrank by. */
  shrink(): number;
  close(): void;
}

export const ROW_OVERHEAD_BYTES = 96;

export function emptyTotals(): Totals {
  return { must_deliver: { count: 0, bytes: 0 }, telemetry: { count: 0, bytes: 0 } };
}
