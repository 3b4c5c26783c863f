import type { EventEnvelope } from '../../core/events.js';
import { type OutboxRow, ROW_OVERHEAD_BYTES } from './outbox-storage.js';

/**
 * One event as stored: `{"id","seq","stream","type","t","class","data"}`; on the wire `withEpoch` adds the
 * store's epoch after the id. Built by concatenation because `data` is already serialized once for size
 * accounting, and this runs for every event on the hot path.
 */
export function encodeItem(id: string, seq: number, event: EventEnvelope, dataJson: string): string {
  return `{"id":"${id}","seq":${seq},"stream":${JSON.stringify(event.stream)},"type":${JSON.stringify(
    event.type,
  )},"t":${event.t},"class":"${event.dataClass}","data":${dataJson}}`;
}

/** Null if the event can be stored; otherwise what is wrong with it (it is then refused, never stored). */
export function validateEvent(event: EventEnvelope): string | null {
  if (event === null || typeof event !== 'object') return 'event is not an object';
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 128) {
    return 'type must be a non-empty string of at most 128 characters';
  }
  if (typeof event.stream !== 'string' || event.stream.length === 0 || event.stream.length > 256) {
    return 'stream must be a non-empty string of at most 256 characters';
  }
  if (typeof event.t !== 'number' || !Number.isFinite(event.t)) return 't must be a finite epoch-ms number';
  if (event.dataClass !== 'must_deliver' && event.dataClass !== 'telemetry') {
    return 'dataClass must be must_deliver or telemetry';
  }
  if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
    return 'data must be an object';
  }
  return null;
}

/** `{"id":"` + a 36-character UUID + `",`: where the epoch goes in a stored item. */
const ID_PREFIX_LENGTH = 7 + 36 + 2;

/** The wire form of a stored item: `{"id","epoch","seq",…}`. */
export function withEpoch(item: string, epoch: number): string {
  return `${item.slice(0, ID_PREFIX_LENGTH)}"epoch":${epoch},${item.slice(ID_PREFIX_LENGTH)}`;
}

export type EncodedBatch =
  | { ok: true; encoded: Array<{ event: EventEnvelope; dataJson: string }>; bytes: number }
  | { ok: false; reason: 'invalid' | 'oversize'; why: string };

/** Validate and serialise a batch once; the first bad event refuses the whole batch. `bytes` is accounted size. */
export function encodeBatch(events: readonly EventEnvelope[], maxEventBytes: number): EncodedBatch {
  const encoded: Array<{ event: EventEnvelope; dataJson: string }> = [];
  let total = 0;
  for (const event of events) {
    const problem = validateEvent(event);
    const dataJson = problem === null ? safeStringify(event.data) : null;
    if (problem !== null || dataJson === null) {
      return { ok: false, reason: 'invalid', why: problem ?? 'data is not JSON' };
    }
    // id (36) + seq + class + keys: a bounded envelope around the data.
    const bytes = Buffer.byteLength(dataJson) + Buffer.byteLength(event.stream) + event.type.length + 160;
    if (bytes > maxEventBytes) {
      const why = `event of ${bytes} bytes exceeds outbox.max_event_bytes (${maxEventBytes})`;
      return { ok: false, reason: 'oversize', why };
    }
    encoded.push({ event, dataJson });
    total += bytes + ROW_OVERHEAD_BYTES;
  }
  return { ok: true, encoded, bytes: total };
}

/** A raw (level 0) row for an event that was given its ord, id and seq. */
export function newRow(
  ord: number,
  id: string,
  seq: number,
  event: EventEnvelope,
  dataJson: string,
  now: number,
): OutboxRow {
  const item = encodeItem(id, seq, event, dataJson);
  return {
    ord,
    id,
    stream: event.stream,
    seq,
    dataClass: event.dataClass,
    level: 0,
    t: event.t,
    item,
    bytes: Buffer.byteLength(item) + ROW_OVERHEAD_BYTES,
    enqueuedAt: now,
  };
}

function safeStringify(data: unknown): string | null {
  try {
    const s = JSON.stringify(data);
    return typeof s === 'string' ? s : null;
  } catch {
    return null;
  }
}
