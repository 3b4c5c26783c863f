import { z } from 'zod';
import type {
  CommandSpec,
  DeviceKindDefinition,
  HealthExpectation,
  ReadingSpec,
  TopicSpec,
} from './define.js';
import { deviceDefinitions } from './kinds.js';
import { type DeviceStatusBody, deviceStatus, statusTopic } from './status.js';

/**
 * The lookups every consumer uses, derived from the definitions in kinds.ts: topic and kind tables (broker,
 * CLI, JSON Schemas), readings by type (must-deliver, quality, health), topics by reading (serial bridge).
 * Built once at import; a definition that contradicts another fails here, at start, not on the first message.
 */

type Definition = (typeof deviceDefinitions)[number];
export type DeviceKind = Definition['kind'];
export const deviceKinds = deviceDefinitions.map((d) => d.kind) as [DeviceKind, ...DeviceKind[]];
export const deviceKindSchema = z.enum(deviceKinds);

type BodyOf<R> = R extends ReadingSpec<infer B> ? B : never;
/** Every normalized reading body, derived from the definitions' `readings`. */
export type ReadingBody = BodyOf<Definition['readings'][number]> | DeviceStatusBody;
export type ReadingType = ReadingBody['type'];

type SuffixOf<D> = D extends { topics: infer T } ? keyof T & string : never;
export type TopicSuffix = SuffixOf<Definition> | 'status';

export const STATUS_SUFFIX = 'status';

/** One value per kind, in catalog order. */
function perKind<V>(value: (d: DeviceKindDefinition) => V): Readonly<Record<DeviceKind, V>> {
  const defs = deviceDefinitions as readonly DeviceKindDefinition[];
  return Object.freeze(Object.fromEntries(defs.map((d) => [d.kind, value(d)]))) as Record<DeviceKind, V>;
}

export const definitionOf = perKind((d) => d);

/** Topic suffix → its topic, over all kinds (`status` included). */
export const topicBySuffix: ReadonlyMap<string, TopicSpec> = (() => {
  const map = new Map<string, TopicSpec>();
  // The throws in this file are asserts: definitions are code, so a clash fails at import and in test/devices.
  for (const d of deviceDefinitions as readonly DeviceKindDefinition[]) {
    for (const [suffix, t] of Object.entries(d.topics)) {
      if (map.has(suffix) || suffix === STATUS_SUFFIX)
        throw new Error(`topic ${suffix} of ${d.kind} is already defined`);
      map.set(suffix, t);
    }
  }
  map.set(STATUS_SUFFIX, statusTopic);
  return map;
})();

/** Per kind: the suffixes it may publish, `status` last. */
export const kindTopicMaps = perKind<ReadonlyMap<string, TopicSpec>>(
  (d) => new Map([...Object.entries(d.topics), [STATUS_SUFFIX, statusTopic]]),
);

export const kindTopics = perKind((d) => [...kindTopicMaps[d.kind as DeviceKind].keys()] as TopicSuffix[]);

/** Topic suffix under `devices/{id}/` → payload schema. */
export const topicPayloads = Object.fromEntries(
  [...topicBySuffix].map(([suffix, t]) => [suffix, t.payload]),
) as Readonly<Record<TopicSuffix, TopicSpec['payload']>>;

/**
 * Reading type → its spec, the kind it implies (`device.status` implies none) and every kind producing it. One
 * spec may be listed by several kinds (a `cold.sample` comes from Modbus controllers and MQTT env sensors);
 * the first in catalog order is the kind implied for an unregistered device. Two different specs of one type
 * are a mistake.
 */
export const readingSpecs: ReadonlyMap<
  ReadingType,
  { spec: ReadingSpec; kind: DeviceKind | null; kinds: readonly DeviceKind[] }
> = (() => {
  const map = new Map<ReadingType, { spec: ReadingSpec; kind: DeviceKind | null; kinds: DeviceKind[] }>();
  for (const d of deviceDefinitions as readonly DeviceKindDefinition[]) {
    for (const spec of d.readings) {
      const known = map.get(spec.type as ReadingType);
      if (known && known.spec !== spec) throw new Error(`reading ${spec.type} is defined twice`);
      if (known) known.kinds.push(d.kind as DeviceKind);
      else
        map.set(spec.type as ReadingType, {
          spec,
          kind: d.kind as DeviceKind,
          kinds: [d.kind as DeviceKind],
        });
    }
  }
  map.set(deviceStatus.type, { spec: deviceStatus, kind: null, kinds: [] });
  return map;
})();

/** Reading type → the topic that carries it as a device payload (what the serial bridge publishes). */
export const topicOfReading: ReadonlyMap<ReadingType, { suffix: TopicSuffix; topic: TopicSpec }> = (() => {
  const map = new Map<ReadingType, { suffix: TopicSuffix; topic: TopicSpec }>();
  for (const [suffix, t] of topicBySuffix) {
    const type = t.reading.type as ReadingType;
    if (map.has(type)) throw new Error(`reading ${type} is carried by two topics`);
    map.set(type, { suffix: suffix as TopicSuffix, topic: t });
  }
  return map;
})();

/**
 * Readings whose QoS 1 publish is acknowledged only once durable (store-and-forward), and that the serial
 * bridge publishes with QoS 1.
 */
export const MUST_DELIVER_READINGS: ReadonlySet<ReadingType> = new Set(
  [...readingSpecs].filter(([, r]) => r.spec.mustDeliver).map(([type]) => type),
);

/** The kind a reading implies, for devices the registry does not know (serial plates, OPC UA points). */
export const kindOfReading = Object.fromEntries(
  [...readingSpecs].map(([type, r]) => [type, r.kind]),
) as Readonly<Record<ReadingType, DeviceKind | null>>;

export const kindExpectations: Readonly<Record<DeviceKind, HealthExpectation>> = perKind((d) => d.health);

/** Every command any kind takes, for the docs and the JSON Schemas. */
export function allCommands(): { kind: DeviceKind; name: string; spec: CommandSpec }[] {
  return deviceKinds.flatMap((kind) =>
    Object.entries(definitionOf[kind].commands).map(([name, spec]) => ({ kind, name, spec })),
  );
}
