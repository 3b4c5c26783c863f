import { z } from 'zod';
import type { Simulator } from './simulate.js';
import { epochMs, msgId } from './wire.js';

/**
 * The vocabulary of a device kind definition (docs/devices.md "Device kinds"). A definition is data: what a
 * device of the kind publishes (topics with payload schemas), what reading each payload becomes and how
 * its fields map both ways, which readings must be delivered, how good a reading is, how often the device
 * must be heard from, which commands it takes, and how the demo simulates it. Everything else — the broker's
 * parser, the serial bridge, replay, health, the JSON Schemas and the protocol tables — is derived from it.
 */

export const CONNECTOR_SOURCES = ['mqtt', 'serial', 'gpio', 'opcua', 'modbus', 'replay', 'internal'] as const;
export type ConnectorSource = (typeof CONNECTOR_SOURCES)[number];

/** `good`: as measured; `uncertain`: plausible but flagged (clock skew, device-reported motion…); `bad`: a known fault. */
export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

export interface ReadingMeta {
  deviceId: string;
  /** When the device says the reading was taken (epoch ms), or null if the device sent no timestamp. */
  deviceTime: number | null;
  /** When the gateway received it (epoch ms, gateway clock). Never re-stamped later. */
  receivedAt: number;
  quality: Quality;
  source: ConnectorSource;
  /** The device's `msg_id` (as a string) when it sent one: the idempotence key of what is derived from it. */
  msgId?: string;
}

/** A normalized reading body: a `type` such as `scale.reading` plus camelCase fields. */
export interface BodyBase {
  type: string;
}

export interface ReadingSpec<B extends BodyBase = BodyBase> {
  readonly type: B['type'];
  readonly summary: string;
  /**
   * A device's QoS 1 publish of this reading is acknowledged only once it is durable in the outbox, and the
   * serial bridge sends it QoS 1 and queues it while the broker is away. Others are telemetry.
   */
  readonly mustDeliver: boolean;
  /** Quality the reading itself implies (e.g. a scale over capacity is `bad`); clock skew is checked after. */
  quality?(body: B): Quality;
  /** Type carrier only, never set: lets `ReadingBody` be derived from the catalog. */
  readonly body?: B;
}

export function reading<B extends BodyBase>(
  type: B['type'],
  spec: Omit<ReadingSpec<B>, 'type' | 'body'>,
): ReadingSpec<B> {
  return { type, ...spec };
}

type BodyKey<B> = Exclude<keyof B, 'type'> & string;
type WireKeyFor<P, V> = {
  [W in keyof P]-?: [NonNullable<P[W]>] extends [NonNullable<V>] ? W : never;
}[keyof P] &
  string;

/** A field whose wire form differs from its reading form (e.g. one sample or an array of samples). */
export interface FieldCodec<P, V> {
  wire: keyof P & string;
  /** Called only with a value the payload schema accepted. */
  decode(wire: never): NonNullable<V>;
  encode(value: NonNullable<V>): unknown;
}

/** Reading field → the wire key carrying it (same type), or a codec. Every body field must be mapped. */
export type FieldMap<B, P> = { readonly [K in BodyKey<B>]-?: WireKeyFor<P, B[K]> | FieldCodec<P, B[K]> };

/**
 * The payload shape a definition writes; `t` (device time, epoch ms) and `msg_id` (the device's message id),
 * both optional, are added to every topic.
 */
export type WireShape = z.core.$ZodShape;
type TimedShape<S extends WireShape> = {
  t: z.ZodOptional<typeof epochMs>;
  msg_id: z.ZodOptional<typeof msgId>;
} & S;
export type PayloadSchema<S extends WireShape = WireShape> = z.ZodObject<TimedShape<S>, z.core.$strict>;
export type WireOf<S extends WireShape> = z.output<PayloadSchema<S>>;

export interface CompiledField {
  readonly wire: string;
  readonly body: string;
  readonly decode: ((wire: unknown) => unknown) | undefined;
  readonly encode: ((value: unknown) => unknown) | undefined;
}

export interface TopicSpec<B extends BodyBase = BodyBase, S extends WireShape = WireShape> {
  readonly reading: ReadingSpec<B>;
  /** Strict: unknown keys are a rejection, never silently dropped. */
  readonly payload: PayloadSchema<S>;
  readonly fields: FieldMap<B, WireOf<S>>;
  /** Field mapping as a flat list, in payload order: what the hot path loops over. */
  readonly compiled: readonly CompiledField[];
  /** Payload keys that must be present: how a replay line is recognised as this topic. */
  readonly requiredKeys: readonly string[];
  /** One line for docs/device-protocol.md. */
  readonly doc: string;
  /** A valid payload, shown in the docs and round-tripped in the tests. */
  readonly example: z.input<PayloadSchema<S>>;
}

export function topic<B extends BodyBase, S extends WireShape>(
  readingSpec: ReadingSpec<B>,
  spec: { wire: S; fields: FieldMap<B, WireOf<S>>; doc: string; example: z.input<PayloadSchema<S>> },
): TopicSpec<B, S> {
  const payload = z.strictObject({
    t: epochMs.optional(),
    msg_id: msgId.optional(),
    ...spec.wire,
  }) as PayloadSchema<S>;
  const byWire = new Map<string, CompiledField>();
  for (const [body, entry] of Object.entries(spec.fields) as [
    string,
    string | FieldCodec<unknown, unknown>,
  ][]) {
    const codec = typeof entry === 'string' ? undefined : entry;
    const wire = codec ? codec.wire : (entry as string);
    // `t` is the reading's deviceTime and `msg_id` its msgId, never body fields.
    // Asserts (here and in defineDeviceKind): a definition is code, checked when its module loads.
    if (!Object.hasOwn(spec.wire, wire))
      throw new Error(`${readingSpec.type}.${body}: no payload key "${wire}"`);
    if (byWire.has(wire))
      throw new Error(`${readingSpec.type}.${body}: payload key "${wire}" is mapped twice`);
    byWire.set(wire, {
      wire,
      body,
      decode: codec?.decode as CompiledField['decode'],
      encode: codec?.encode as CompiledField['encode'],
    });
  }
  const compiled = Object.keys(spec.wire).flatMap((k) => byWire.get(k) ?? []);
  const requiredKeys = Object.keys(spec.wire).filter(
    (k) => !z.safeParse(payload.shape[k]!, undefined).success,
  );
  return {
    reading: readingSpec,
    payload,
    fields: spec.fields,
    compiled,
    requiredKeys,
    doc: spec.doc,
    example: spec.example,
  };
}

/** A command the gateway sends on `devices/{id}/cmd`, with typed `args` and the `data` of an `ok` answer. */
export interface CommandSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly args: A;
  readonly response: R;
  readonly summary: string;
  /** Who sends it (docs). */
  readonly sentBy: string;
  readonly timeoutMs: number;
}

export function command<A extends z.ZodType, R extends z.ZodType>(
  spec: Omit<CommandSpec<A, R>, 'timeoutMs'> & { timeoutMs?: number },
): CommandSpec<A, R> {
  return { timeoutMs: 5_000, ...spec };
}

/** How often a device of the kind must be heard from (data or a `status` heartbeat) to count as online. */
export interface HealthExpectation {
  intervalMs: number;
  /** What keeps it alive: a continuous data stream, or periodic status heartbeats. */
  basis: 'data' | 'heartbeat';
  note: string;
}

export interface DeviceKindDefinition<
  K extends string = string,
  T extends Record<string, TopicSpec> = Record<string, TopicSpec>,
  R extends readonly ReadingSpec[] = readonly ReadingSpec[],
  C extends Record<string, CommandSpec> = Record<string, CommandSpec>,
> {
  readonly kind: K;
  readonly summary: string;
  /** Topics under `devices/{id}/` (the shared `status` topic is added to every kind by the catalog). */
  readonly topics: T;
  /** Every reading the kind produces, also those that arrive by other wires (OPC UA, GPIO, Modbus…). */
  readonly readings: R;
  readonly health: HealthExpectation;
  readonly commands: C;
  /** Cameras: any payload that carries image data is rejected (metadata only, never pictures of shoppers). */
  readonly metadataOnly?: boolean;
  /** How `npm run demo` plays a device of this kind; kinds without one appear only as configured peers. */
  // biome-ignore lint/suspicious/noExplicitAny: each kind keeps its own simulator state type
  readonly simulate?: Simulator<any>;
}

export function defineKind<
  const K extends string,
  T extends Record<string, TopicSpec>,
  R extends readonly ReadingSpec[],
  C extends Record<string, CommandSpec> = Record<never, CommandSpec>,
>(definition: DeviceKindDefinition<K, T, R, C>): DeviceKindDefinition<K, T, R, C> {
  for (const [suffix, t] of Object.entries(definition.topics)) {
    if (!definition.readings.includes(t.reading))
      throw new Error(`${definition.kind}: topic ${suffix} maps to ${t.reading.type}, not in its readings`);
  }
  return Object.freeze(definition);
}
