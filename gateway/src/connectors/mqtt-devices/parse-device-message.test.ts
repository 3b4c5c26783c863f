import { describe, expect, it } from 'vitest';
import { containsImageData } from './image-data.js';
import { parseDeviceMessage } from './parse-device-message.js';

const T = 1_790_000_000_000;
const parse = (kind: Parameters<typeof parseDeviceMessage>[0]['kind'], suffix: string, payload: unknown) =>
  parseDeviceMessage(
    { deviceId: 'd1', kind, suffix, receivedAt: T },
    Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  );

describe('parseDeviceMessage', () => {
  it('normalizes every topic into its reading type', () => {
    expect(parse('shelf', 'shelf', { t: T - 5, channel: 2, grams: [1, 2], hz: 60 })).toMatchObject({
      ok: true,
      reading: {
        type: 'shelf.weight',
        deviceId: 'd1',
        deviceTime: T - 5,
        receivedAt: T,
        quality: 'good',
        channel: 2,
        grams: [1, 2],
        hz: 60,
        source: 'mqtt',
      },
    });
    expect(parse('shelf', 'shelf', { channel: 0, grams: 7 })).toMatchObject({
      reading: { grams: [7], deviceTime: null },
    });
    expect(parse('door', 'door', { in: 3, out: 1 })).toMatchObject({
      reading: { type: 'door.count', in: 3, out: 1 },
    });
    expect(parse('door', 'beam', { beam: 'b', blocked: true })).toMatchObject({
      reading: { type: 'door.beam', beam: 'b' },
    });
    expect(parse('camera', 'camera/line', { line: 'e', in: 1, out: 2 })).toMatchObject({
      reading: { type: 'camera.line' },
    });
    expect(parse('camera', 'camera/zone', { zone: 'z', count: 4 })).toMatchObject({
      reading: { type: 'camera.zone', count: 4 },
    });
    expect(parse('scanner', 'scan', { code: '123', symbology: 'ean13' })).toMatchObject({
      reading: { type: 'scanner.scan', code: '123' },
    });
    expect(parse('scale', 'scale', { grams: 5, status: 'over' })).toMatchObject({
      reading: { type: 'scale.reading', quality: 'bad' },
    });
    expect(parse('pos', 'pos', { event: 'basket-open', lane: 'l1', transaction_id: 'x' })).toMatchObject({
      reading: { type: 'pos.event', lane: 'l1', transactionId: 'x' },
    });
    expect(
      parse('plant', 'status', { firmware: '2.0', uptime_s: 5, rssi_dbm: -60, battery_pct: 80 }),
    ).toMatchObject({
      ok: true,
      firmware: '2.0',
      reading: { type: 'device.status', uptimeS: 5, rssiDbm: -60, batteryPct: 80 },
    });
  });

  it('flags readings from a device clock far off as uncertain', () => {
    expect(parse('door', 'door', { t: T - 3_600_000, in: 1, out: 1 })).toMatchObject({
      reading: { quality: 'uncertain' },
    });
  });

  it('rejects with a reason and the zod path', () => {
    expect(parse('door', 'door', '{"in":')).toMatchObject({ ok: false, reason: 'not_json' });
    expect(parse('door', 'door', { in: -1, out: 0 })).toMatchObject({
      ok: false,
      reason: 'schema',
      detail: expect.stringMatching(/^in: /),
    });
    expect(parse('door', 'door', { in: 1, out: 0, extra: 1 })).toMatchObject({ ok: false, reason: 'schema' });
    expect(parse('shelf', 'shelf', { channel: 0, grams: [1, 'x'] })).toMatchObject({
      detail: expect.stringMatching(/^grams/),
    });
    expect(parse('door', 'door', { t: 1_700_000_000, in: 1, out: 0 })).toMatchObject({
      detail: expect.stringMatching(/milliseconds/),
    });
    expect(parse('door', 'scan', { code: '1' })).toMatchObject({ ok: false, reason: 'wrong_kind' });
    expect(parse('door', 'constructor', {})).toMatchObject({ ok: false, reason: 'unknown_topic' });
    expect(parse('door', 'door', `{"in":1,"out":1,"p":"${'x'.repeat(17_000)}"}`)).toMatchObject({
      ok: false,
      reason: 'oversize',
    });
  });
});

describe('containsImageData', () => {
  it('finds image keys, data URIs, long base64 and pixel arrays at any depth', () => {
    expect(containsImageData({ zone: 'a', meta: { frame: 1 } })).toBe(true);
    expect(containsImageData({ x: ['data:image/png;base64,AAAA'] })).toBe(true);
    expect(containsImageData({ x: 'A'.repeat(300) })).toBe(true);
    expect(containsImageData({ x: new Array(2048).fill(7) })).toBe(true);
    expect(containsImageData({ zone: 'entrance', count: 3, line: 'door-1' })).toBe(false);
  });
});
