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
/** Event type of every rollup: one rollup may stand for several event types of its stream. */
export const ROLLUP_TYPE = 'outbox.rollup';

export interface FieldStats {
  min: number;
  max: number;
  mean: number;
  count: number;
}

export interface TypeSummary {
  /** Raw events of this type the rollup stands for. */
  count: number;
  /** Numeric fields of those events: min/max/mean/count. */
  fields: Record<string, FieldStats>;
}

/** `data` of a rollup event on the wire (telemetry class, type `outbox.rollup`, same stream). */
export interface RollupData {
  rollup: string;
  window_start: number;
  window_end: number;
  /** Raw events this rollup stands for. */
  count: number;
  /** The telemetry events of this stream with seq in [seq_from, seq_to] are represented by this rollup. */
  seq_from: number;
  seq_to: number;
  types: Record<string, TypeSummary>;
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

/** What a stored telemetry row stands for: its seq range and per-type summary (a raw event, or a rollup). */
export function summaryOf(row: OutboxRow): {
  seqFrom: number;
  seqTo: number;
  t: number;
  types: Record<string, TypeSummary>;
} {
  const event = JSON.parse(row.item) as StoredEvent;
  const data = event.data;
  if (row.level > 0 && typeof data.rollup === 'string') {
    const r = data as unknown as RollupData & { fields?: Record<string, FieldStats> };
    // Rollups written before per-type summaries carried one type, in the event's own type.
    const types = r.types ?? { [event.type]: { count: r.count, fields: r.fields ?? {} } };
    return { seqFrom: r.seq_from, seqTo: r.seq_to, t: r.window_start, types };
  }
  const fields: Record<string, FieldStats> = {};
  for (const [name, v] of Object.entries(data)) {
    if (typeof v === 'number' && Number.isFinite(v)) fields[name] = { min: v, max: v, mean: v, count: 1 };
  }
  return { seqFrom: event.seq, seqTo: event.seq, t: event.t, types: { [event.type]: { count: 1, fields } } };
}

/**
 * Runs of `rows` (compactable rows in ord order) per stream: consecutive rows accepted by `joins`, cut where
 * `key` changes. A row `joins` rejects ends the run of its stream, so no run ever spans another row of its
 * stream: the seq ranges of what replaces each run cannot overlap anything else left in the stream.
 */
export function runsByStream<K>(
  rows: readonly OutboxRow[],
  joins: (row: OutboxRow) => boolean,
  key: (row: OutboxRow) => K,
): OutboxRow[][] {
  const open = new Map<string, { rows: OutboxRow[]; key: K }>();
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const cur = open.get(row.stream);
    if (!joins(row)) {
      if (cur) runs.push(cur.rows);
      open.delete(row.stream);
      continue;
    }
    const k = key(row);
    if (cur && cur.key === k) {
      cur.rows.push(row);
      continue;
    }
    if (cur) runs.push(cur.rows);
    open.set(row.stream, { rows: [row], key: k });
  }
  for (const cur of open.values()) runs.push(cur.rows);
  return runs;
}

/**
 * Compact the rows of `fromLevel` among `rows` (compactable rows in ord order) into rollups of the next level:
 * one rollup per run of consecutive rows of a stream within one window. Numeric fields become
 * min/max/mean/count per event type; other fields are not carried (a rollup summarises series).
 * Pure: the caller assigns ids and writes the change atomically.
 */
export function compactRows(rows: readonly OutboxRow[], fromLevel: 0 | 1 | 2): RollupDraft[] {
  const toLevel = (fromLevel + 1) as 1 | 2 | 3;
  const windowMs = ROLLUP_WINDOW_MS[toLevel];
  const summaries = new Map<OutboxRow, ReturnType<typeof summaryOf>>();
  const summary = (row: OutboxRow) => {
    let s = summaries.get(row);
    if (!s) {
      s = summaryOf(row);
      summaries.set(row, s);
    }
    return s;
  };
  const runs = runsByStream(
    rows,
    (row) => row.dataClass === 'telemetry' && row.level === fromLevel,
    (row) => Math.floor(summary(row).t / windowMs) * windowMs,
  );
  return runs.map((run) => {
    const types: Record<string, TypeSummary> = {};
    let count = 0;
    for (const row of run) {
      for (const [type, s] of Object.entries(summary(row).types)) {
        const into = types[type] ?? { count: 0, fields: {} };
        into.count += s.count;
        for (const [name, f] of Object.entries(s.fields)) merge(into.fields, name, f);
        types[type] = into;
        count += s.count;
      }
    }
    const first = summary(run[0]!);
    const start = Math.floor(first.t / windowMs) * windowMs;
    const rollup: RollupData = {
      rollup: ROLLUP_NAME[toLevel],
      window_start: start,
      window_end: start + windowMs,
      count,
      seq_from: first.seqFrom,
      seq_to: summary(run[run.length - 1]!).seqTo,
      types,
    };
    return {
      replaces: run,
      level: toLevel,
      event: {
        type: ROLLUP_TYPE,
        t: start,
        stream: run[0]!.stream,
        dataClass: 'telemetry',
        // seq_from, not seq_to: the rollup is delivered where its first event was, so a stream's seqs still
        // arrive in increasing order (must-deliver events inside the range follow it).
        seq: first.seqFrom,
        data: rollup as unknown as Record<string, unknown>,
      },
    };
  });
}
