import type { z } from 'zod';
import { outboxEventData } from './cloud-events.js';
import { coldchainEventData } from './coldchain-events.js';
import { auditEvents } from './events/audit.js';
import { deviceEvents } from './events/device.js';
import { footfallEvents } from './events/footfall.js';
import { laneEvents } from './events/lane.js';
import { releaseEvents } from './events/release.js';
import { shelfEvents } from './events/shelf.js';

/**
 * Store events: what processors derive and sinks carry out of the process (outbox → cloud, live feed).
 *
 * Every event type the gateway emits has one zod schema for its `data` (snake_case: the wire form), grouped
 * by domain in core/events/. `StoreEventMap` and `StoreEvent` are derived from them, the JSON Schemas in
 * docs/schemas/event-*.schema.json and docs/events.md are generated from them (`npm run schemas`), and
 * test/events/ checks what the processors really emit against them. Adding an event type is one entry in
 * its domain's object (a new domain: one file and one spread below).
 */
export const storeEventSchemas = {
  ...shelfEvents,
  ...laneEvents,
  ...footfallEvents,
  ...deviceEvents,
  ...coldchainEventData,
  ...auditEvents,
  ...releaseEvents,
  ...outboxEventData,
} as const;

/** The domains of docs/events.md: which stream their events are ordered on, and what class they are. */
export const eventDomains: ReadonlyArray<{
  title: string;
  streams: string;
  classes: string;
  doc?: string;
  types: readonly string[];
}> = [
  {
    title: 'Shelves',
    streams: '`shelf/{device}`',
    classes: 'must-deliver',
    doc: 'shelves.md',
    types: Object.keys(shelfEvents),
  },
  {
    title: 'Checkout lanes',
    streams: '`lane/{lane}`',
    classes: 'must-deliver',
    doc: 'checkout.md',
    types: Object.keys(laneEvents),
  },
  {
    title: 'Doors and footfall',
    streams: '`door/{device}`, `footfall/{store}`',
    classes: 'door.entry, door.exit and door.counter_reset are telemetry, the rest must-deliver',
    doc: 'footfall.md',
    types: Object.keys(footfallEvents),
  },
  {
    title: 'Devices',
    streams: '`health/{device}`, `device/{device}`',
    classes: 'see each event',
    doc: 'devices.md',
    types: Object.keys(deviceEvents),
  },
  {
    title: 'Cold chain and HACCP',
    streams: '`coldchain/{unit}`, `coldchain/day`, `haccp/report`',
    classes: 'coldchain.sample is telemetry, the rest must-deliver',
    doc: 'opcua.md',
    types: Object.keys(coldchainEventData),
  },
  {
    title: 'Audit',
    streams: '`audit`',
    classes: 'must-deliver',
    types: Object.keys(auditEvents),
  },
  {
    title: 'Releases',
    streams: '`gateway/release`',
    classes: 'must-deliver',
    doc: 'deploy.md',
    types: Object.keys(releaseEvents),
  },
  {
    title: 'Outbox and gateway',
    streams: '`gateway/outbox`, `gateway/clock`; rollups and drop markers on the stream they summarise',
    classes: 'outbox.rollup is telemetry, the rest must-deliver',
    doc: 'outbox.md',
    types: Object.keys(outboxEventData),
  },
];

type Schemas = typeof storeEventSchemas;

/** Event type → the type of its `data`. */
export type StoreEventMap = { [K in keyof Schemas]: z.output<Schemas[K]> };
export type StoreEventType = keyof StoreEventMap;

/** `must_deliver` is never evicted; `telemetry` may be compacted into rollups under disk pressure. */
export type DataClass = 'must_deliver' | 'telemetry';

interface EventHead {
  /** Epoch ms the event refers to (derived from reading time, not wall-clock at send). */
  t: number;
  /** Ordering stream: per-stream order is preserved and sequence-numbered, e.g. `shelf/shelf-a3`. */
  stream: string;
  dataClass: DataClass;
  /**
   * Set only for events derived from a device message with a `msg_id` (core/event-ids.ts): the outbox keeps it
   * instead of assigning a UUIDv7, so a resent message yields the same event id.
   */
  id?: string;
}

/** One event of type `K`, e.g. `StoreEventOf<'shelf.pick'>`; a union of types gives the union of events. */
export type StoreEventOf<K extends StoreEventType> = K extends StoreEventType
  ? EventHead & {
      /** Dotted event type, e.g. `shelf.pick`, `footfall.minute`, `lane.alert`, `device.health`. */
      type: K;
      data: StoreEventMap[K];
    }
  : never;

/** Any event the gateway emits: `switch (e.type)` narrows `data`. */
export type StoreEvent = StoreEventOf<StoreEventType>;

/**
 * The transport form the outbox and uplink carry: any type, any JSON data. They store and forward events
 * without interpreting them (and keep events of types a newer gateway wrote).
 */
export interface EventEnvelope extends EventHead {
  type: string;
  data: Record<string, unknown>;
}

/** A store event after the outbox accepted it. */
export interface StoredEvent extends EventEnvelope {
  /** UUIDv7 (or the UUIDv5 of a device `msg_id`), unique across gateways and restarts: the cloud deduplicates on it. */
  id: string;
  /** Per-stream sequence number, from 1, gap-free: the cloud detects loss with it. */
  seq: number;
}

export function isStoreEventType(type: string): type is StoreEventType {
  return Object.hasOwn(storeEventSchemas, type);
}

/** Checks an event's data against its type's schema: null when it conforms, else the first problem. */
export function storeEventProblem(event: EventEnvelope): string | null {
  if (!isStoreEventType(event.type)) return `unknown event type ${event.type}`;
  const result = storeEventSchemas[event.type].safeParse(event.data);
  if (result.success) return null;
  const issue = result.error.issues[0];
  return `${event.type}: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? 'invalid'}`;
}

/** Narrows an event to the given types: `if (isEventOf(e, 'shelf.pick', 'shelf.put')) e.data.qty`. */
export function isEventOf<K extends StoreEventType>(
  event: StoreEvent,
  ...types: K[]
): event is Extract<StoreEvent, { type: K }> {
  return (types as readonly string[]).includes(event.type);
}

/** The events of the given types, typed. */
export function eventsOf<K extends StoreEventType>(
  events: readonly StoreEvent[],
  ...types: K[]
): Extract<StoreEvent, { type: K }>[] {
  return events.filter((e): e is Extract<StoreEvent, { type: K }> => isEventOf(e, ...types));
}
