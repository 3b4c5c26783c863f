import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import type { Reading, ReadingType } from '../../../../shared/src/readings.js';
import type { StoreEvent, StoreEventOf } from '../../core/events.js';
import type { Processor } from '../../ports/pipeline.js';
import { type HealthState, kindExpectations, kindOfReading } from './expectations.js';

export interface DeviceHealth {
  id: string;
  kind: DeviceKind | null;
  /** In the registry (true), or only known from its readings (serial plates, OPC UA points). */
  registered: boolean;
  state: HealthState;
  lastSeenAt: number | null;
  offlineAfterMs: number;
  firmware: string | null;
  uptimeS: number | null;
  rssiDbm: number | null;
  batteryPct: number | null;
  /** The transport said its session closed (MQTT disconnect, port gone) and nothing was heard since. */
  sessionClosed: boolean;
}

/** Why a device changed state: silence past its window, its session closing, or a reading arriving. */
export type HealthCause = 'silence' | 'session_closed' | 'heard';

export interface DeviceHealthOptions {
  offlineAfterMissed: number;
  /** When tracking began: a device never heard from gets one full window from here before it is offline. */
  startedAt: number;
}

/** Expected interval for a device whose kind nothing tells us (it only ever sent status). */
const DEFAULT_INTERVAL_MS = 60_000;
const MAX_UNREGISTERED = 10_000;
const ALL_TYPES = Object.keys(kindOfReading) as ReadingType[];

/**
 * Online/offline per device from last-seen against its kind's expected interval. Pure: last-seen is the
 * gateway receipt time of readings, and `tick(now)` decides transitions, so live and replay agree.
 * Transitions between online and offline are alarms (`must_deliver`); the first state after start
 * (`unknown` → online) and firmware changes are telemetry.
 */
export class DeviceHealthProcessor implements Processor {
  readonly name = 'device-health';
  readonly handles = ALL_TYPES;
  private readonly devices = new Map<string, DeviceHealth>();

  constructor(private readonly options: DeviceHealthOptions) {}

  /** The registry's devices (refreshed periodically): kinds, seeds for last-seen, removals. */
  setDirectory(
    entries: readonly { id: string; kind: DeviceKind; lastSeenAt: number | null; firmware: string | null }[],
  ) {
    const present = new Set<string>();
    for (const e of entries) {
      present.add(e.id);
      const d = this.devices.get(e.id);
      if (!d) {
        this.devices.set(e.id, this.blank(e.id, e.kind, true, e.lastSeenAt, e.firmware));
      } else {
        d.registered = true;
        if (d.kind !== e.kind) this.setKind(d, e.kind);
      }
    }
    for (const [id, d] of this.devices) if (d.registered && !present.has(id)) this.devices.delete(id);
  }

  process(reading: Reading): StoreEvent[] {
    let d = this.devices.get(reading.deviceId);
    const impliedKind = kindOfReading[reading.type];
    if (!d) {
      if (this.devices.size >= MAX_UNREGISTERED) return [];
      d = this.blank(reading.deviceId, impliedKind, false, null, null);
      this.devices.set(d.id, d);
    } else if (!d.registered && d.kind === null && impliedKind) {
      this.setKind(d, impliedKind);
    }
    d.lastSeenAt = Math.max(d.lastSeenAt ?? reading.receivedAt, reading.receivedAt);
    d.sessionClosed = false;
    const events: StoreEvent[] = [];
    if (reading.type === 'device.status') {
      if (reading.firmware !== undefined && reading.firmware !== d.firmware) {
        const previous = d.firmware;
        d.firmware = reading.firmware;
        if (previous !== null) {
          events.push(
            this.event(d, reading.receivedAt, 'telemetry', {
              change: 'firmware',
              previous_firmware: previous,
            }),
          );
        }
      }
      if (reading.uptimeS !== undefined) d.uptimeS = reading.uptimeS;
      if (reading.rssiDbm !== undefined) d.rssiDbm = reading.rssiDbm;
      if (reading.batteryPct !== undefined) d.batteryPct = reading.batteryPct;
    }
    // Coming back is reported at once, not at the next tick.
    if (d.state !== 'online') events.push(this.transition(d, 'online', reading.receivedAt, 'heard'));
    return events;
  }

  /**
   * The transport's word on a device's session. Closed wins over last-seen: the device is offline at once
   * instead of after its silence window (issue 15.4). Open only clears that; readings bring it back online.
   */
  connection(id: string, connected: boolean, now: number): StoreEvent[] {
    const d = this.devices.get(id);
    if (!d) return [];
    if (connected) {
      d.sessionClosed = false;
      return [];
    }
    d.sessionClosed = true;
    return d.state === 'offline' ? [] : [this.transition(d, 'offline', now, 'session_closed')];
  }

  tick(now: number): StoreEvent[] {
    const events: StoreEvent[] = [];
    for (const d of this.devices.values()) {
      const reference = Math.max(d.lastSeenAt ?? this.options.startedAt, this.options.startedAt);
      const online = !d.sessionClosed && d.lastSeenAt !== null && now - d.lastSeenAt <= d.offlineAfterMs;
      if (online && d.state !== 'online') events.push(this.transition(d, 'online', now, 'heard'));
      else if (!online && d.state !== 'offline' && now - reference > d.offlineAfterMs) {
        events.push(this.transition(d, 'offline', now, 'silence'));
      }
    }
    return events;
  }

  get(id: string): Readonly<DeviceHealth> | undefined {
    return this.devices.get(id);
  }

  snapshot(): readonly Readonly<DeviceHealth>[] {
    return [...this.devices.values()];
  }

  private transition(
    d: DeviceHealth,
    to: 'online' | 'offline',
    t: number,
    cause: HealthCause,
  ): StoreEventOf<'device.health'> {
    const previous = d.state;
    d.state = to;
    // The first sighting after start is news for nobody; a device that never came back after start is an alarm.
    const dataClass = previous === 'unknown' && to === 'online' ? 'telemetry' : 'must_deliver';
    return this.event(d, t, dataClass, { change: 'state', previous, cause });
  }

  private event(
    d: DeviceHealth,
    t: number,
    dataClass: StoreEvent['dataClass'],
    change:
      | { change: 'state'; previous: HealthState; cause: HealthCause }
      | { change: 'firmware'; previous_firmware: string },
  ): StoreEventOf<'device.health'> {
    return {
      type: 'device.health',
      t,
      stream: `health/${d.id}`,
      dataClass,
      data: {
        device: d.id,
        kind: d.kind,
        state: d.state,
        ...change,
        last_seen: d.lastSeenAt,
        offline_after_ms: d.offlineAfterMs,
        firmware: d.firmware,
      },
    };
  }

  private setKind(d: DeviceHealth, kind: DeviceKind): void {
    d.kind = kind;
    d.offlineAfterMs = kindExpectations[kind].intervalMs * this.options.offlineAfterMissed;
  }

  private blank(
    id: string,
    kind: DeviceKind | null,
    registered: boolean,
    lastSeenAt: number | null,
    firmware: string | null,
  ): DeviceHealth {
    const interval = kind ? kindExpectations[kind].intervalMs : DEFAULT_INTERVAL_MS;
    return {
      id,
      kind,
      registered,
      state: 'unknown',
      lastSeenAt,
      offlineAfterMs: interval * this.options.offlineAfterMissed,
      firmware,
      uptimeS: null,
      rssiDbm: null,
      batteryPct: null,
      sessionClosed: false,
    };
  }
}
