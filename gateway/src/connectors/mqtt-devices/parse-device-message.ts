import type { z } from 'zod';
import {
  type DeviceKind,
  kindTopics,
  MAX_DEVICE_PAYLOAD_BYTES,
  type TopicSuffix,
  topicPayloads,
} from '../../../../shared/src/device-contract.js';
import type { Quality, Reading } from '../../../../shared/src/readings.js';
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

/**
 * Validate one device publish against the device contract and normalize it into a Reading.
 * Pure: the same bytes, device and receipt time always give the same result.
 */
export function parseDeviceMessage(ctx: MessageContext, payload: Buffer): ParseResult {
  if (payload.length > MAX_DEVICE_PAYLOAD_BYTES) {
    return reject('oversize', `${payload.length} bytes > ${MAX_DEVICE_PAYLOAD_BYTES}`);
  }
  if (!Object.hasOwn(topicPayloads, ctx.suffix)) return reject('unknown_topic', ctx.suffix);
  const suffix = ctx.suffix as TopicSuffix;
  if (!kindTopics[ctx.kind].includes(suffix))
    return reject('wrong_kind', `${ctx.kind} may not publish ${suffix}`);
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return reject('not_json', (err as Error).message);
  }
  if (ctx.kind === 'camera' && containsImageData(json))
    return reject('image_data', 'camera payloads carry metadata only');
  const parsed = topicPayloads[suffix].safeParse(json);
  if (!parsed.success) return reject('schema', describeIssue(parsed.error));
  const data = parsed.data as Payload;
  const deviceTime: number | null = data.t ?? null;
  // Meta first, then the body's fields assigned in place: one object per reading instead of a body object
  // spread into a second one (this runs per device message).
  const reading: Payload = {
    deviceId: ctx.deviceId,
    deviceTime,
    receivedAt: ctx.receivedAt,
    quality: qualityOf(suffix, data, deviceTime, ctx),
    source: 'mqtt',
  };
  assignBody(suffix, data, reading);
  const firmware = suffix === 'status' ? (data.firmware as string | undefined) : undefined;
  return firmware === undefined
    ? { ok: true, reading: reading as Reading }
    : { ok: true, reading: reading as Reading, firmware };
}

function reject(reason: RejectionReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.') || '(root)';
  return `${path}: ${issue.message}`;
}

function qualityOf(suffix: TopicSuffix, p: Payload, deviceTime: number | null, ctx: MessageContext): Quality {
  if (suffix === 'scale' && (p.status === 'over' || p.status === 'under')) return 'bad';
  if (
    deviceTime !== null &&
    Math.abs(deviceTime - ctx.receivedAt) > (ctx.maxClockSkewMs ?? DEFAULT_MAX_SKEW_MS)
  ) {
    return 'uncertain';
  }
  return 'good';
}

// biome-ignore lint/suspicious/noExplicitAny: payloads were validated by the schema for this suffix just above
type Payload = Record<string, any>;

/** Writes the ReadingBody for `suffix` onto `r` (type first, optional fields only when present). */
function assignBody(suffix: TopicSuffix, p: Payload, r: Payload): void {
  switch (suffix) {
    case 'shelf':
      r.type = 'shelf.weight';
      r.channel = p.channel;
      r.grams = Array.isArray(p.grams) ? p.grams : [p.grams];
      if (p.hz !== undefined) r.hz = p.hz;
      return;
    case 'door':
      r.type = 'door.count';
      r.in = p.in;
      r.out = p.out;
      return;
    case 'beam':
      r.type = 'door.beam';
      r.beam = p.beam;
      r.blocked = p.blocked;
      return;
    case 'camera/line':
      r.type = 'camera.line';
      r.line = p.line;
      r.in = p.in;
      r.out = p.out;
      return;
    case 'camera/zone':
      r.type = 'camera.zone';
      r.zone = p.zone;
      r.count = p.count;
      return;
    case 'scan':
      r.type = 'scanner.scan';
      r.code = p.code;
      if (p.symbology !== undefined) r.symbology = p.symbology;
      return;
    case 'scale':
      r.type = 'scale.reading';
      r.grams = p.grams;
      r.status = p.status;
      return;
    case 'pos':
      r.type = 'pos.event';
      r.event = p.event;
      if (p.lane !== undefined) r.lane = p.lane;
      if (p.transaction_id !== undefined) r.transactionId = p.transaction_id;
      return;
    case 'status':
      r.type = 'device.status';
      if (p.firmware !== undefined) r.firmware = p.firmware;
      if (p.uptime_s !== undefined) r.uptimeS = p.uptime_s;
      if (p.rssi_dbm !== undefined) r.rssiDbm = p.rssi_dbm;
      if (p.battery_pct !== undefined) r.batteryPct = p.battery_pct;
      return;
  }
}
