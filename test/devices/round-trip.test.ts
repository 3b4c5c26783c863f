import { describe, expect, it } from 'vitest';
import { encodePayload, toDevicePublication } from '../../shared/src/devices/codec.js';
import { topicBySuffix, topicOfReading } from '../../shared/src/devices/tables.js';
import type { ReadingBody } from '../../shared/src/readings.js';
import { bodyOf, everyTopic, parseAs, T, timedExample } from './support.js';

describe('every device kind definition round-trips wire → reading → wire', () => {
  it.each(everyTopic.map((e) => [`${e.kind} ${e.suffix}`, e] as const))(
    '%s',
    (_name, { kind, suffix, topic }) => {
      const wire = timedExample(topic);
      expect(topic.payload.safeParse(wire).success, 'the example satisfies its own schema').toBe(true);
      const parsed = parseAs(kind, suffix, wire);
      if (!parsed.ok) throw new Error(`${suffix} example rejected: ${parsed.detail}`);
      expect(parsed.reading).toMatchObject({ type: topic.reading.type, deviceId: 'd1', deviceTime: T - 10 });
      // What the serial bridge would publish for this reading is the payload we started from.
      const back = toDevicePublication(
        bodyOf(parsed.reading) as unknown as ReadingBody,
        parsed.reading.deviceTime,
      );
      expect(back).toEqual({ suffix, payload: wire });
      // And every body field of the reading is carried (no field lost on the way back).
      expect(Object.keys(bodyOf(parsed.reading)).sort()).toEqual(
        ['type', ...topic.compiled.filter((f) => f.wire in wire).map((f) => f.body)].sort(),
      );
    },
  );

  it('a single shelf sample becomes an array of one and survives reading → wire → reading', () => {
    const one = parseAs('shelf', 'shelf', { channel: 4, grams: 7.5 });
    expect(one).toMatchObject({ ok: true, reading: { grams: [7.5], deviceTime: null } });
    if (!one.ok) return;
    const wire = toDevicePublication(bodyOf(one.reading) as unknown as ReadingBody, null);
    if (typeof wire === 'string') throw new Error(wire);
    const again = parseAs('shelf', wire.suffix, wire.payload);
    expect(again.ok && bodyOf(again.reading)).toEqual(bodyOf(one.reading));
  });

  it('omits optional fields that are absent, both ways', () => {
    const scan = parseAs('scanner', 'scan', { code: '123' });
    expect(scan.ok && bodyOf(scan.reading)).toEqual({ type: 'scanner.scan', code: '123' });
    expect(
      encodePayload(topicBySuffix.get('pos')!, { type: 'pos.event', event: 'basket-open' }, null),
    ).toEqual({
      event: 'basket-open',
    });
  });

  it('the bridge refuses what no topic carries and what the broker would reject', () => {
    expect(toDevicePublication({ type: 'plant.value', point: 'p', value: 1 }, null)).toBe(
      'plant.value has no device topic',
    );
    expect(toDevicePublication({ type: 'scale.reading', grams: 5e6, status: 'stable' }, T)).toMatch(
      /^scale payload invalid: grams: /,
    );
    // Device time is rounded to whole epoch milliseconds (serial clocks give fractions).
    expect(toDevicePublication({ type: 'door.count', in: 1, out: 0 }, T + 0.4)).toEqual({
      suffix: 'door',
      payload: { t: T, in: 1, out: 0 },
    });
  });

  it('every reading type with a topic maps back to exactly that topic', () => {
    for (const [suffix, topic] of topicBySuffix)
      expect(topicOfReading.get(topic.reading.type as never)?.suffix).toBe(suffix);
  });
});
