import type { z } from 'zod';
import {
  type DeviceKind,
  kindTopics,
  MAX_DEVICE_PAYLOAD_BYTES,
  type TopicSuffix,
  topicPayloads,
} from '../../core/device-contract.js';
import type { Quality, Reading, ReadingBody } from '../../core/readings.js';
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
  const body = toBody(suffix, parsed.data as Record<string, unknown>);
  const deviceTime = (parsed.data as { t?: number }).t ?? null;
  const reading = {
    deviceId: ctx.deviceId,
    deviceTime,
    receivedAt: ctx.receivedAt,
    quality: qualityOf(body, deviceTime, ctx),
    source: 'mqtt',
    ...body,
  } as Reading;
  const firmware = body.type === 'device.status' ? body.firmware : undefined;
  return firmware === undefined ? { ok: true, reading } : { ok: true, reading, firmware };
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

function qualityOf(body: ReadingBody, deviceTime: number | null, ctx: MessageContext): Quality {
  if (body.type === 'scale.reading' && (body.status === 'over' || body.status === 'under')) return 'bad';
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

function toBody(suffix: TopicSuffix, p: Payload): ReadingBody {
  switch (suffix) {
    case 'shelf':
      return {
        type: 'shelf.weight',
        channel: p.channel,
        grams: Array.isArray(p.grams) ? p.grams : [p.grams],
        ...(p.hz !== undefined ? { hz: p.hz } : {}),
      };
    case 'door':
      return { type: 'door.count', in: p.in, out: p.out };
    case 'beam':
      return { type: 'door.beam', beam: p.beam, blocked: p.blocked };
    case 'camera/line':
      return { type: 'camera.line', line: p.line, in: p.in, out: p.out };
    case 'camera/zone':
      return { type: 'camera.zone', zone: p.zone, count: p.count };
    case 'scan':
      return {
        type: 'scanner.scan',
        code: p.code,
        ...(p.symbology !== undefined ? { symbology: p.symbology } : {}),
      };
    case 'scale':
      return { type: 'scale.reading', grams: p.grams, status: p.status };
    case 'pos':
      return {
        type: 'pos.event',
        event: p.event,
        ...(p.lane !== undefined ? { lane: p.lane } : {}),
        ...(p.transaction_id !== undefined ? { transactionId: p.transaction_id } : {}),
      };
    case 'status':
      return {
        type: 'device.status',
        ...(p.firmware !== undefined ? { firmware: p.firmware } : {}),
        ...(p.uptime_s !== undefined ? { uptimeS: p.uptime_s } : {}),
        ...(p.rssi_dbm !== undefined ? { rssiDbm: p.rssi_dbm } : {}),
        ...(p.battery_pct !== undefined ? { batteryPct: p.battery_pct } : {}),
      };
  }
}
