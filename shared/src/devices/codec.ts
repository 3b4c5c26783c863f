import type { z } from 'zod';
import type { Quality, ReadingSpec, TopicSpec } from './define.js';
import { type ReadingBody, type TopicSuffix, topicOfReading } from './tables.js';

/**
 * The two directions of every topic's field map: a validated wire payload onto a reading (the broker's MQTT
 * connector, replay), and a reading body back to a wire payload (the serial bridge, which publishes its
 * readings as device payloads). No per-kind code: the loops read the definition's `compiled` fields.
 */

// biome-ignore lint/suspicious/noExplicitAny: payloads were validated by their topic's schema before this runs
type Payload = Record<string, any>;

/**
 * Writes the reading body of topic `t` from a validated payload onto `into`: `type` first, then the fields in
 * payload order, optional ones only when present. Assigning in place keeps one object per reading on the
 * broker's hot path instead of a body spread into a second object.
 */
export function assignReadingBody(t: TopicSpec, payload: Payload, into: Payload): void {
  into.type = t.reading.type;
  const fields = t.compiled;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = payload[f.wire];
    if (v !== undefined) into[f.body] = f.decode === undefined ? v : f.decode(v);
  }
}

/** The reading's own quality (its definition's rule), `good` when the definition has none. */
export function intrinsicQuality(spec: ReadingSpec, reading: object): Quality {
  return spec.quality ? spec.quality(reading as never) : 'good';
}

/** The wire payload of a reading body for topic `t`; `t` (device time) first when known. Not validated. */
export function encodePayload(t: TopicSpec, body: object, deviceTime: number | null): Payload {
  const out: Payload = deviceTime === null ? {} : { t: Math.round(deviceTime) };
  const b = body as Payload;
  for (const f of t.compiled) {
    const v = b[f.body];
    if (v !== undefined) out[f.wire] = f.encode === undefined ? v : f.encode(v);
  }
  return out;
}

export type DevicePublication = { suffix: TopicSuffix; payload: Record<string, unknown> };

/**
 * A reading as the device payload a native MQTT device would publish, validated with the same schema the
 * gateway's broker applies, so the bridge never publishes what the gateway would reject. Returns an error
 * string for bodies no topic carries (OPC UA plant values) or that fail the schema.
 */
export function toDevicePublication(
  body: ReadingBody,
  deviceTime: number | null,
): DevicePublication | string {
  const target = topicOfReading.get(body.type);
  if (!target) return `${body.type} has no device topic`;
  const payload = encodePayload(target.topic, body, deviceTime);
  const check = target.topic.payload.safeParse(payload);
  if (!check.success)
    return `${target.suffix} payload invalid: ${check.error.issues.map((i) => `${pathOf(i)}: ${i.message}`).join('; ')}`;
  return { suffix: target.suffix, payload };
}

export function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.') || '(root)';
}

/** The issue to report first: an unknown key (usually a typo) before the values it makes look wrong. */
export function firstIssue(error: z.ZodError): z.core.$ZodIssue | undefined {
  return error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
}
