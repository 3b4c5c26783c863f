import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../../shared/src/readings.js';
import { RawForwardProcessor, snakeKey } from './raw-forward.js';

const T = 1_790_000_000_000;
const meta = { deviceId: 'd1', deviceTime: T - 5, receivedAt: T, quality: 'good', source: 'mqtt' } as const;

/** The straightforward form the processor replaced (rest + spread + per-key regex), kept as the reference. */
function reference(reading: Reading) {
  const { deviceId, deviceTime, receivedAt, quality, source, type, ...body } = reading;
  const snake: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) snake[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return {
    device: deviceId,
    reading: type,
    device_time: deviceTime,
    received_at: receivedAt,
    quality,
    source,
    ...snake,
  };
}

const readings: Reading[] = [
  { ...meta, type: 'door.count', in: 3, out: 1 },
  { ...meta, deviceTime: null, type: 'door.beam', beam: 'a', blocked: true },
  { ...meta, type: 'scanner.scan', code: '4006381333931', symbology: 'ean13' },
  { ...meta, type: 'scanner.scan', code: 'x' },
  { ...meta, quality: 'bad', type: 'scale.reading', grams: 12.5, status: 'over' },
  { ...meta, type: 'pos.event', event: 'payment-start', lane: 'L1', transactionId: 'tx-9' },
  { ...meta, type: 'camera.line', line: 'entrance', in: 4, out: 2 },
];

describe('RawForwardProcessor', () => {
  it('writes exactly what the reference form writes, keys in the same order', () => {
    const processor = new RawForwardProcessor();
    for (const reading of readings) {
      const [event] = processor.process(reading);
      expect(event).toEqual({
        type: 'device.reading',
        t: reading.deviceTime ?? reading.receivedAt,
        stream: 'device/d1',
        dataClass: 'must_deliver',
        data: reference(reading),
      });
      expect(JSON.stringify(event?.data)).toBe(JSON.stringify(reference(reading)));
    }
  });

  it('converts camelCase keys to snake_case, repeatedly and for keys it has not seen', () => {
    expect(snakeKey('transactionId')).toBe('transaction_id');
    expect(snakeKey('transactionId')).toBe('transaction_id');
    expect(snakeKey('batteryPctMax')).toBe('battery_pct_max');
    expect(snakeKey('in')).toBe('in');
  });
});
