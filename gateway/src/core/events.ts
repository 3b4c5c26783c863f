/**
 * Store events: what processors derive and sinks carry out of the process (outbox → cloud, live feed).
 */

/** `must_deliver` is never evicted; `telemetry` may be compacted into rollups under disk pressure. */
export type DataClass = 'must_deliver' | 'telemetry';

export interface StoreEvent {
  /** Dotted event type, e.g. `shelf.pick`, `footfall.minute`, `lane.alert`, `device.health`. */
  type: string;
  /** Epoch ms the event refers to (derived from reading time, not wall-clock at send). */
  t: number;
  /** Ordering stream: per-stream order is preserved and sequence-numbered, e.g. `shelf/shelf-a3`. */
  stream: string;
  dataClass: DataClass;
  /** snake_case keys: this is the wire form. */
  data: Record<string, unknown>;
  /**
   * Set only for events derived from a device message with a `msg_id` (core/event-ids.ts): the outbox keeps it
   * instead of assigning a UUIDv7, so a resent message yields the same event id.
   */
  id?: string;
}

/** A store event after the outbox accepted it. */
export interface StoredEvent extends StoreEvent {
  /** UUIDv7 (or the UUIDv5 of a device `msg_id`), unique across gateways and restarts: the cloud deduplicates on it. */
  id: string;
  /** Per-stream sequence number, from 1, gap-free: the cloud detects loss with it. */
  seq: number;
}
