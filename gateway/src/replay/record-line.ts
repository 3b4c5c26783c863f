import { encodePayload } from '../../../shared/src/devices/codec.js';
import { topicOfReading } from '../../../shared/src/devices/tables.js';
import { type Reading, type ReadingType, readingTime } from '../../../shared/src/readings.js';
import type { StoreEvent } from '../core/events.js';

/** Device readings replay reads back as device lines (`{"t", "device", ...payload}`, see replay/inputs/). */
const DEVICE_LINE_READINGS: readonly ReadingType[] = [
  'shelf.weight',
  'door.beam',
  'door.count',
  'camera.line',
  'camera.zone',
];
/** Lane devices' readings, which replay reads back as lane lines (`{"t", "lane", ...}`). */
const LANE_READINGS: readonly ReadingType[] = ['scanner.scan', 'scale.reading', 'pos.event'];

/** Every reading type a recording can hold. */
export const RECORDABLE_READINGS: readonly ReadingType[] = [...DEVICE_LINE_READINGS, ...LANE_READINGS];

export interface RecordLineOptions {
  /** The lane a scanner/scale/POS device is in (the checkout feature's lane directory). */
  laneOf(deviceId: string): string | undefined;
  /** The rate single-sample shelf readings run at (`shelves.sample_hz`): replay needs `hz` on batches. */
  shelfHz: number;
}

/**
 * A live reading as the replay input line that reads back into the same reading: the inverse of the replay
 * parsers. `t` is the time processors used (the device's own, else receipt); `received_at` is added when the
 * receipt differs from it. Null for a reading replay cannot read (no device line for its kind, a lane device
 * in no lane).
 */
export function recordLineOf(reading: Reading, options: RecordLineOptions): Record<string, unknown> | null {
  const line = lineOf(reading, options);
  const received = Math.round(reading.receivedAt);
  if (line && received !== line.t) line.received_at = received;
  return line;
}

/**
 * An attendant's clear or override (HTTP/CLI, not a device input) as the lane line replay applies at its time,
 * read from the `lane.alert.cleared` event it produced. Null for any other event (a shopper or session end).
 */
export function recordAttendantOf(event: StoreEvent): Record<string, unknown> | null {
  if (event.type !== 'lane.alert.cleared') return null;
  const { lane, action, note, attendant } = event.data;
  if (action !== 'clear' && action !== 'override') return null;
  return {
    t: Math.round(event.t),
    lane,
    attendant: action,
    ...(note !== null ? { note } : {}),
    ...(attendant !== null ? { by: attendant } : {}),
  };
}

/** A tick of the live pipeline: replay runs its processors' ticks at these times instead of whole seconds. */
export function recordTickOf(now: number): { t: number; tick: true } {
  return { t: Math.round(now), tick: true };
}

function lineOf(reading: Reading, options: RecordLineOptions): Record<string, unknown> | null {
  const t = Math.round(readingTime(reading));
  switch (reading.type) {
    case 'scanner.scan':
    case 'scale.reading':
    case 'pos.event': {
      const lane =
        (reading.type === 'pos.event' ? reading.lane : undefined) ?? options.laneOf(reading.deviceId);
      if (lane === undefined) return null;
      if (reading.type === 'scanner.scan') return { t, lane, scan: reading.code };
      if (reading.type === 'pos.event')
        return {
          t,
          lane,
          pos: reading.event,
          ...(reading.transactionId ? { transaction_id: reading.transactionId } : {}),
        };
      const { grams, status } = reading;
      return status === 'stable' || status === 'motion'
        ? { t, lane, grams, stable: status === 'stable' }
        : { t, lane, grams, status };
    }
    default: {
      if (!DEVICE_LINE_READINGS.includes(reading.type)) return null;
      const target = topicOfReading.get(reading.type);
      if (!target) return null;
      const body =
        reading.type === 'shelf.weight' && reading.grams.length > 1 && reading.hz === undefined
          ? { ...reading, hz: options.shelfHz }
          : reading;
      return { ...encodePayload(target.topic, body, t), device: reading.deviceId };
    }
  }
}
