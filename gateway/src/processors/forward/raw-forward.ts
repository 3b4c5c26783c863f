import type { StoreEvent } from '../../core/events.js';
import { MUST_DELIVER_READINGS, type Reading, type ReadingType, readingTime } from '../../core/readings.js';
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
    const { deviceId, deviceTime, receivedAt, quality, source, type, ...body } = reading;
    return [
      {
        type: 'device.reading',
        t: readingTime(reading),
        stream: `device/${deviceId}`,
        dataClass: 'must_deliver',
        data: {
          device: deviceId,
          reading: type,
          device_time: deviceTime,
          received_at: receivedAt,
          quality,
          source,
          ...snakeCase(body),
        },
      },
    ];
  }
}

function snakeCase(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}
