import { type DeviceKind, MAX_DEVICE_PAYLOAD_BYTES } from '../../../../shared/src/device-contract.js';
import {
  assignReadingBody,
  firstIssue,
  intrinsicQuality,
  pathOf,
} from '../../../../shared/src/devices/codec.js';
import { definitionOf, kindTopicMaps, topicBySuffix } from '../../../../shared/src/devices/tables.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { containsImageData } from './image-data.js';

export type RejectionReason =
  | 'oversize'
  | 'unknown_topic'
  | 'wrong_kind'
  | 'not_json'
  | 'image_data'
  | 'schema';

export type ParseResult =
  | { ok: true; reading: Reading; firmware?: string }
  | { ok: false; reason: RejectionReason; detail: string };

export interface MessageContext {
  deviceId: string;
  kind: DeviceKind;
  /** Topic after `devices/{id}/`. */
  suffix: string;
  receivedAt: number;
  /** Device clocks further off than this make the reading `uncertain` (its time is still kept). */
  maxClockSkewMs?: number;
}

const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

// biome-ignore lint/suspicious/noExplicitAny: the payload was validated by its topic's schema just before use
type Payload = Record<string, any>;

/**
 * Validate one device publish against its kind's definition (shared/src/devices/) and normalize it into a
 * Reading. Pure: the same bytes, device and receipt time always give the same result.
 */
export function parseDeviceMessage(ctx: MessageContext, payload: Buffer): ParseResult {
  if (payload.length > MAX_DEVICE_PAYLOAD_BYTES) {
    return reject('oversize', `${payload.length} bytes > ${MAX_DEVICE_PAYLOAD_BYTES}`);
  }
  const topic = kindTopicMaps[ctx.kind].get(ctx.suffix);
  if (topic === undefined) {
    return topicBySuffix.has(ctx.suffix)
      ? reject('wrong_kind', `${ctx.kind} may not publish ${ctx.suffix}`)
      : reject('unknown_topic', ctx.suffix);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return reject('not_json', (err as Error).message);
  }
  if (definitionOf[ctx.kind].metadataOnly && containsImageData(json))
    return reject('image_data', 'camera payloads carry metadata only');
  const parsed = topic.payload.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    return reject('schema', issue ? `${pathOf(issue)}: ${issue.message}` : 'invalid');
  }
  const data = parsed.data as Payload;
  const deviceTime: number | null = data.t ?? null;
  const reading: Payload = {
    deviceId: ctx.deviceId,
    deviceTime,
    receivedAt: ctx.receivedAt,
    quality: 'good',
    source: 'mqtt',
  };
  if (data.msg_id !== undefined) reading.msgId = String(data.msg_id);
  assignReadingBody(topic, data, reading);
  let quality = intrinsicQuality(topic.reading, reading);
  if (
    quality === 'good' &&
    deviceTime !== null &&
    Math.abs(deviceTime - ctx.receivedAt) > (ctx.maxClockSkewMs ?? DEFAULT_MAX_SKEW_MS)
  ) {
    quality = 'uncertain';
  }
  reading.quality = quality;
  const firmware = reading.type === 'device.status' ? (reading.firmware as string | undefined) : undefined;
  return firmware === undefined
    ? { ok: true, reading: reading as Reading }
    : { ok: true, reading: reading as Reading, firmware };
}

function reject(reason: RejectionReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}
