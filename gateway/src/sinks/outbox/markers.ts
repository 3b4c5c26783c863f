import type { StoredEvent } from '../../core/events.js';
import { MARKER_LEVEL, type OutboxRow } from './outbox-storage.js';
import { type RollupData, runsByStream, summaryOf } from './rollup.js';

/** Event type of the in-band record of telemetry the outbox dropped (seq range and counts per type). */
export const DROPPED_TYPE = 'outbox.dropped';

/** `data` of an `outbox.dropped` marker: must-deliver, same stream as what it stands for. */
export interface DroppedData {
  reason: string;
  /** The telemetry events of this stream with seq in [seq_from, seq_to] were dropped. */
  seq_from: number;
  seq_to: number;
  /** Raw events dropped, in total and per type. */
  count: number;
  types: Record<string, number>;
  /** Span of the dropped events' time windows. */
  window_start: number;
  window_end: number;
}

export interface MarkerDraft {
  /** Rollups dropped and earlier markers merged into this one (all deleted). */
  replaces: OutboxRow[];
  /** Raw events newly dropped by this step (not counting what merged markers already described). */
  dropped: number;
  event: Omit<StoredEvent, 'id'>;
}

function isMarker(row: OutboxRow): boolean {
  return row.level === MARKER_LEVEL;
}

/**
 * Replace runs of 1 h rollups (and the markers next to them) by one `outbox.dropped` marker per run, so the
 * cloud can tell a seq range lost by policy from one lost in transit. `rows` are compactable rows in ord
 * order; a run never spans another row of its stream, so marker ranges never overlap. Pure.
 */
export function dropRows(rows: readonly OutboxRow[], reason: string): MarkerDraft[] {
  const runs = runsByStream(
    rows,
    (row) => isMarker(row) || (row.dataClass === 'telemetry' && row.level === 3),
    () => 0,
  );
  const drafts: MarkerDraft[] = [];
  for (const run of runs) {
    // A lone marker is already as small as it gets.
    if (run.every(isMarker) && run.length < 2) continue;
    const types: Record<string, number> = {};
    let count = 0;
    let dropped = 0;
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    let seqFrom = Number.POSITIVE_INFINITY;
    let seqTo = 0;
    for (const row of run) {
      const part = isMarker(row) ? markerPart(row) : rollupPart(row);
      for (const [type, n] of Object.entries(part.types)) types[type] = (types[type] ?? 0) + n;
      count += part.count;
      if (!isMarker(row)) dropped += part.count;
      start = Math.min(start, part.start);
      end = Math.max(end, part.end);
      seqFrom = Math.min(seqFrom, part.seqFrom);
      seqTo = Math.max(seqTo, part.seqTo);
    }
    const data: DroppedData = {
      reason,
      seq_from: seqFrom,
      seq_to: seqTo,
      count,
      types,
      window_start: start,
      window_end: end,
    };
    drafts.push({
      replaces: run,
      dropped,
      event: {
        type: DROPPED_TYPE,
        t: start,
        stream: run[0]!.stream,
        dataClass: 'must_deliver',
        seq: seqFrom,
        data: data as unknown as Record<string, unknown>,
      },
    });
  }
  return drafts;
}

interface Part {
  types: Record<string, number>;
  count: number;
  start: number;
  end: number;
  seqFrom: number;
  seqTo: number;
}

function markerPart(row: OutboxRow): Part {
  const d = (JSON.parse(row.item) as StoredEvent).data as unknown as DroppedData;
  return {
    types: d.types,
    count: d.count,
    start: d.window_start,
    end: d.window_end,
    seqFrom: d.seq_from,
    seqTo: d.seq_to,
  };
}

function rollupPart(row: OutboxRow): Part {
  const s = summaryOf(row);
  const data = (JSON.parse(row.item) as StoredEvent).data as unknown as RollupData;
  const types: Record<string, number> = {};
  let count = 0;
  for (const [type, t] of Object.entries(s.types)) {
    types[type] = t.count;
    count += t.count;
  }
  const end = typeof data.window_end === 'number' ? data.window_end : s.t;
  return { types, count, start: s.t, end, seqFrom: s.seqFrom, seqTo: s.seqTo };
}
