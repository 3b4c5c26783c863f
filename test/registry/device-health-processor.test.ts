import { describe, expect, it } from 'vitest';
import { eventsOf } from '../../gateway/src/core/events.js';
import { DeviceHealthProcessor } from '../../gateway/src/processors/health/device-health-processor.js';
import { isOnline, kindExpectations } from '../../gateway/src/processors/health/expectations.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { Reading } from '../../shared/src/readings.js';

const T0 = 1_700_000_000_000;

function shelf(deviceId: string, receivedAt: number): Reading {
  return {
    type: 'shelf.weight',
    deviceId,
    deviceTime: null,
    receivedAt,
    quality: 'good',
    source: 'mqtt',
    channel: 0,
    grams: [1],
  };
}
function status(deviceId: string, receivedAt: number, firmware: string): Reading {
  return {
    type: 'device.status',
    deviceId,
    deviceTime: null,
    receivedAt,
    quality: 'good',
    source: 'mqtt',
    firmware,
    uptimeS: 12,
    rssiDbm: -60,
    batteryPct: 80,
  };
}

describe('DeviceHealthProcessor', () => {
  it('goes online, offline after the kind window, and online again on the next reading', () => {
    const clock = new FakeClock(T0);
    const p = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: clock.now() });
    p.setDirectory([{ id: 'shelf-1', kind: 'shelf', lastSeenAt: null, firmware: null }]);
    expect(p.tick(clock.now())).toEqual([]);
    expect(p.get('shelf-1')?.state).toBe('unknown');

    const first = p.process(shelf('shelf-1', clock.now()));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      type: 'device.health',
      stream: 'health/shelf-1',
      dataClass: 'telemetry',
      data: {
        device: 'shelf-1',
        kind: 'shelf',
        state: 'online',
        previous: 'unknown',
        offline_after_ms: 3_000,
      },
    });
    expect(p.process(shelf('shelf-1', clock.now()))).toEqual([]);

    clock.advance(3_000);
    expect(p.tick(clock.now())).toEqual([]); // exactly at the limit is still online
    clock.advance(1);
    const offline = p.tick(clock.now());
    expect(offline).toEqual([
      {
        type: 'device.health',
        t: T0 + 3_001,
        stream: 'health/shelf-1',
        dataClass: 'must_deliver',
        data: {
          device: 'shelf-1',
          kind: 'shelf',
          state: 'offline',
          change: 'state',
          previous: 'online',
          cause: 'silence',
          last_seen: T0,
          offline_after_ms: 3_000,
          firmware: null,
        },
      },
    ]);
    expect(p.tick(clock.now() + 10_000)).toEqual([]); // reported once, not every tick

    clock.advance(60_000);
    const back = p.process(shelf('shelf-1', clock.now()));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({
      dataClass: 'must_deliver',
      data: { state: 'online', previous: 'offline' },
    });
  });

  it('a closed session is offline at once; ticks keep it offline until the device is heard again', () => {
    const clock = new FakeClock(T0);
    const p = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: clock.now() });
    p.setDirectory([{ id: 'scale-1', kind: 'scale', lastSeenAt: null, firmware: null }]);
    p.process(shelf('scale-1', clock.now()));
    clock.advance(1_000);
    const closed = p.connection('scale-1', false, clock.now());
    expect(closed).toEqual([
      expect.objectContaining({
        t: T0 + 1_000,
        dataClass: 'must_deliver',
        data: expect.objectContaining({ state: 'offline', previous: 'online', cause: 'session_closed' }),
      }),
    ]);
    expect(p.connection('scale-1', false, clock.now())).toEqual([]); // once
    clock.advance(1_000);
    expect(p.tick(clock.now())).toEqual([]); // last-seen is recent, the closed session still wins
    expect(p.connection('scale-1', true, clock.now())).toEqual([]); // connected alone is not heard from
    expect(p.tick(clock.now())[0]?.data).toMatchObject({ state: 'online', cause: 'heard' });
    expect(p.connection('ghost', false, clock.now())).toEqual([]); // never heard of: nothing to report
  });

  it('gives never-seen devices one window after start, then raises an offline alarm', () => {
    const p = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: T0 });
    p.setDirectory([{ id: 'door-1', kind: 'door', lastSeenAt: T0 - 3_600_000, firmware: '1.0' }]);
    expect(p.tick(T0 + 180_000)).toEqual([]);
    const events = p.tick(T0 + 180_001);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      dataClass: 'must_deliver',
      data: { state: 'offline', previous: 'unknown' },
    });
  });

  it('tracks firmware, uptime, RSSI and battery from status heartbeats', () => {
    const p = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: T0 });
    p.setDirectory([{ id: 'scan-1', kind: 'scanner', lastSeenAt: null, firmware: null }]);
    p.process(status('scan-1', T0, '2.0.1'));
    expect(p.get('scan-1')).toMatchObject({ firmware: '2.0.1', uptimeS: 12, rssiDbm: -60, batteryPct: 80 });
    const upgrade = p.process(status('scan-1', T0 + 1000, '2.1.0'));
    expect(upgrade).toEqual([
      expect.objectContaining({
        dataClass: 'telemetry',
        data: expect.objectContaining({ change: 'firmware', previous_firmware: '2.0.1', firmware: '2.1.0' }),
      }),
    ]);
    // A scanner is allowed 3 × 5 min of silence.
    expect(p.tick(T0 + 1000 + 900_000)).toEqual([]);
    expect(eventsOf(p.tick(T0 + 1000 + 900_001), 'device.health')[0]?.data.state).toBe('offline');
  });

  it('tracks devices the registry does not know by the kind their readings imply, and forgets removed ones', () => {
    const p = new DeviceHealthProcessor({ offlineAfterMissed: 2, startedAt: T0 });
    p.process(shelf('plate-7', T0));
    expect(p.get('plate-7')).toMatchObject({ kind: 'shelf', registered: false, offlineAfterMs: 2_000 });
    p.setDirectory([{ id: 'cam-1', kind: 'camera', lastSeenAt: null, firmware: null }]);
    p.setDirectory([]);
    expect(p.get('cam-1')).toBeUndefined();
    expect(p.get('plate-7')).toBeDefined();
  });

  it('documents an expected interval for every kind', () => {
    expect(kindExpectations.shelf.intervalMs).toBe(1_000);
    expect(kindExpectations.scanner.intervalMs).toBe(300_000);
    expect(isOnline('door', T0, T0 + 180_000, 3)).toBe(true);
    expect(isOnline('door', T0, T0 + 180_001, 3)).toBe(false);
    expect(isOnline('shelf', T0, T0 + 4_000, 3, 1_000)).toBe(true);
    expect(isOnline('shelf', null, T0, 3)).toBe(false);
  });
});
