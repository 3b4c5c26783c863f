import {
  MUST_DELIVER_READINGS,
  type Reading,
  type ReadingType,
  readingTime,
} from '../../../../shared/src/readings.js';
import type { StoreEvent, StoreEventMap } from '../../core/events.js';
import type { Processor } from '../../ports/pipeline.js';

const HANDLED: readonly ReadingType[] = [...MUST_DELIVER_READINGS];

/**
 * Forwards each must-deliver reading (scans, door counts, scale readings, POS events, beams) to the outbox as a
 * `device.reading` event. This is what makes a QoS 1 PUBACK mean "durable": the reading itself is in the outbox
 * before the device hears back, whatever the derived events do later.
 */
export class RawForwardProcessor implements Processor {
  readonly name = 'raw-forward';
  readonly handles = HANDLED;

  process(reading: Reading): StoreEvent[] {
    const { deviceId } = reading;
    // Built key by key rather than with rest/spread: this runs once per must-deliver reading and the spreads,
    // plus converting every key's case, were a fifth of the ingest path's own CPU.
    const data: StoreEventMap['device.reading'] = {
      device: deviceId,
      reading: reading.type,
      device_time: reading.deviceTime,
      received_at: reading.receivedAt,
      quality: reading.quality,
      source: reading.source,
    };
    if (reading.msgId !== undefined) data.msg_id = reading.msgId;
    const body = reading as unknown as Record<string, unknown>;
    for (const key in body) {
      if (!Object.hasOwn(body, key) || META_KEYS.has(key)) continue;
      data[snakeKey(key)] = body[key];
    }
    return [
      {
        type: 'device.reading',
        t: readingTime(reading),
        stream: `device/${deviceId}`,
        dataClass: 'must_deliver',
        data,
      },
    ];
  }
}

const META_KEYS: ReadonlySet<string> = new Set([
  'deviceId',
  'deviceTime',
  'receivedAt',
  'quality',
  'source',
  'type',
  'msgId',
]);

/** Body keys come from a handful of reading types, so the conversions are few and cached for good. */
const snakeKeys = new Map<string, string>();
const MAX_CACHED_KEYS = 1024;

export function snakeKey(key: string): string {
  let out = snakeKeys.get(key);
  if (out === undefined) {
    out = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snakeKeys.size < MAX_CACHED_KEYS) snakeKeys.set(key, out);
  }
  return out;
}
