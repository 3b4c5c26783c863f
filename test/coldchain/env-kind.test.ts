import { describe, expect, it } from 'vitest';
import { parseDeviceMessage } from '../../gateway/src/connectors/mqtt-devices/parse-device-message.js';
import { DeviceHealthProcessor } from '../../gateway/src/processors/health/device-health-processor.js';
import { readingSpecs } from '../../shared/src/devices/tables.js';
import type { Reading } from '../../shared/src/readings.js';

const T = 1_790_000_000_000;
const parse = (payload: unknown, suffix = 'env') =>
  parseDeviceMessage(
    { deviceId: 'env-7', kind: 'env', suffix, receivedAt: T },
    Buffer.from(JSON.stringify(payload)),
  );

describe('env device kind', () => {
  it('an env payload becomes a cold.sample; unit defaults to absent (the device is the unit)', () => {
    expect(
      parse({ t: T - 1000, unit: 'chiller-3', temp_c: 3.4, humidity_pct: 71, door_open: true }),
    ).toMatchObject({
      ok: true,
      reading: {
        type: 'cold.sample',
        deviceId: 'env-7',
        unit: 'chiller-3',
        tempC: 3.4,
        humidityPct: 71,
        doorOpen: true,
        quality: 'good',
      },
    });
    const bare = parse({ temp_c: -18.2 });
    expect(bare.ok && 'unit' in bare.reading).toBe(false);
  });

  it('a probe fault makes the sample bad quality; impossible values are rejected with the field named', () => {
    expect(parse({ temp_c: -50, probe_fault: true })).toMatchObject({
      ok: true,
      reading: { quality: 'bad' },
    });
    const hot = parse({ temp_c: 85 });
    expect(hot.ok).toBe(false);
    expect(JSON.stringify(hot)).toMatch(/temp_c.*at most 60/);
    expect(parse({ humidity_pct: 140 }).ok).toBe(false);
    expect(parse({ temp_c: 3, battery_pct: 50 }).ok).toBe(false); // battery goes on status
    expect(parse({ battery_pct: 41 }, 'status')).toMatchObject({
      ok: true,
      reading: { type: 'device.status', batteryPct: 41 },
    });
  });

  it('cold.sample is shared by the Modbus kind and env; an unregistered source counts as refrigeration', () => {
    expect(readingSpecs.get('cold.sample')).toMatchObject({
      kind: 'refrigeration',
      kinds: ['refrigeration', 'env'],
    });
    const health = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: T });
    const r: Reading = {
      type: 'cold.sample',
      deviceId: 'xr60-1',
      deviceTime: null,
      receivedAt: T,
      quality: 'good',
      source: 'internal',
      tempC: 2,
    };
    health.process(r);
    expect(health.get('xr60-1')?.kind).toBe('refrigeration');
  });
});
