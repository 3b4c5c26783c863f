import type { StoredEvent } from '../../core/events.js';
import type { OutboxRow, RollupLevel } from './outbox-storage.js';

/** Window of each compaction level: raw → 1 min → 15 min → 1 h. */
export const ROLLUP_WINDOW_MS: Record<1 | 2 | 3, number> = { 1: 60_000, 2: 900_000, 3: 3_600_000 };
export const ROLLUP_NAME: Record<1 | 2 | 3, string> = { 1: '1m', 2: '15m', 3: '1h' };
/** Counter reason for each compaction step (metrics and `outbox status`). */
export const COMPACTION_REASON: Record<0 | 1 | 2, string> = {
  0: 'raw_to_1m',
  1: '1m_to_15m',
  2: '15m_to_1h',
};

export interface FieldStats {
  min: number;
  max: number;
  mean: number;
  count: number;
}

/** `data` of a rollup event on the wire (telemetry class; same stream and type as what it replaces). */
export interface RollupData {
  rollup: string;
  window_start: number;
  window_end: number;
  /** Raw events this rollup stands for. */
  count: number;
  /** The telemetry events of this stream with seq in [seq_from, seq_to] are represented by this rollup. */
  seq_from: number;
  seq_to: number;
  fields: Record<string, FieldStats>;
}

export interface RollupDraft {
  /** Rows replaced (deleted) by this rollup. */
  replaces: OutboxRow[];
  event: Omit<StoredEvent, 'id'>;
  level: RollupLevel;
}

function merge(into: Record<string, FieldStats>, name: string, s: FieldStats): void {
  const cur = into[name];
  if (!cur) {
    into[name] = { ...s };
    return;
  }
  const count = cur.count + s.count;
  into[name] = {
    min: Math.min(cur.min, s.min),
    max: Math.max(cur.max, s.max),
    mean: (cur.mean * cur.count + s.mean * s.count) / count,
    count,
  };
}

function isRollup(data: Record<string, unknown>): data is Record<string, unknown> & RollupData {
  return typeof data.rollup === 'string' && typeof data.fields === 'object' && data.fields !== null;
}

/**
 * Compact rows of `fromLevel` into rollups of the next level, grouped per stream, type and window. Numeric
 * fields become min/max/mean/count; non-numeric fields are not carried (a rollup is a summary of series).
 * Pure: the caller assigns ids and writes the change atomically.
 */
export function compactRows(rows: readonly OutboxRow[], fromLevel: 0 | 1 | 2): RollupDraft[] {
  const toLevel = (fromLevel + 1) as 1 | 2 | 3;
  const windowMs = ROLLUP_WINDOW_MS[toLevel];
  const groups = new Map<string, { rows: OutboxRow[]; type: string; start: number; stream: string }>();
  const parsed = new Map<OutboxRow, StoredEvent>();
  for (const row of rows) {
    const event = JSON.parse(row.item) as StoredEvent;
    parsed.set(row, event);
    const start = Math.floor(event.t / windowMs) * windowMs;
    const key = `${row.stream}\u0000${event.type}\u0000${start}`;
    const g = groups.get(key) ?? { rows: [], type: event.type, start, stream: row.stream };
    g.rows.push(row);
    groups.set(key, g);
  }
  const drafts: RollupDraft[] = [];
  for (const g of groups.values()) {
    const fields: Record<string, FieldStats> = {};
    let count = 0;
    let seqFrom = Number.POSITIVE_INFINITY;
    let seqTo = 0;
    for (const row of g.rows) {
      const { data, seq } = parsed.get(row)!;
      if (isRollup(data)) {
        count += data.count;
        seqFrom = Math.min(seqFrom, data.seq_from);
        seqTo = Math.max(seqTo, data.seq_to);
        for (const [name, s] of Object.entries(data.fields)) merge(fields, name, s);
      } else {
        count += 1;
        seqFrom = Math.min(seqFrom, seq);
        seqTo = Math.max(seqTo, seq);
        for (const [name, v] of Object.entries(data)) {
          if (typeof v === 'number' && Number.isFinite(v))
            merge(fields, name, { min: v, max: v, mean: v, count: 1 });
        }
      }
    }
    const rollup: RollupData = {
      rollup: ROLLUP_NAME[toLevel],
      window_start: g.start,
      window_end: g.start + windowMs,
      count,
      seq_from: seqFrom,
      seq_to: seqTo,
      fields,
    };
    drafts.push({
      replaces: g.rows,
      level: toLevel,
      event: {
        type: g.type,
        t: g.start,
        stream: g.stream,
        dataClass: 'telemetry',
        seq: seqTo,
        data: rollup as unknown as Record<string, unknown>,
      },
    });
  }
  return drafts;
}
