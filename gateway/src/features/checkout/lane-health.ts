import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import type { StoreEvent } from '../../core/events.js';
import type { LaneState } from '../../processors/checkout/lane-types.js';

/** What the lane display is told about its devices on top of the checkout state. */
export interface LaneDevicesHealth {
  /** The lane cannot verify a shopper's items: its scale or scanner is offline. */
  paused: boolean;
  /** The lane's devices that are offline now (any role), sorted. */
  offline_devices: string[];
}

/** A lane state as published on `lanes/{id}/state` and served over HTTP and the WebSocket. */
export type ServedLaneState = LaneState & LaneDevicesHealth;

/** Without these a lane cannot tell what was scanned or what was bagged. */
const PAUSING_KINDS: readonly DeviceKind[] = ['scale', 'scanner'];

function pausedMessage(kinds: ReadonlySet<DeviceKind | null>): string {
  const scale = kinds.has('scale');
  const scanner = kinds.has('scanner');
  const what = scale && scanner ? 'Scale and scanner' : scale ? 'Scale' : 'Scanner';
  return `${what} offline: lane paused, please wait for an attendant`;
}

/**
 * Offline devices per lane, kept from the `device.health` events of the live feed. The checkout engine
 * (processors/checkout) knows nothing of device health; this overlay is what keeps a display from saying
 * "Scan your next item" while the scale that would verify it is gone (issue 15.4).
 */
export class LaneHealthOverlay {
  private readonly offline = new Map<string, { lane: string; kind: DeviceKind | null }>();

  constructor(private readonly laneOf: (deviceId: string) => string | undefined) {}

  /** Takes device.health state changes; returns the lanes whose offline set changed. */
  apply(events: readonly StoreEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const e of events) {
      if (e.type !== 'device.health' || e.data.change !== 'state') continue;
      const id = e.data.device;
      const before = this.offline.get(id);
      if (e.data.state === 'offline') {
        const lane = this.laneOf(id);
        if (lane === undefined) continue;
        this.offline.set(id, { lane, kind: e.data.kind });
        if (before?.lane !== lane) {
          changed.add(lane);
          if (before) changed.add(before.lane);
        }
      } else if (before) {
        this.offline.delete(id);
        changed.add(before.lane);
      }
    }
    return changed;
  }

  serve(state: LaneState): ServedLaneState {
    const devices: string[] = [];
    const kinds = new Set<DeviceKind | null>();
    for (const [id, d] of this.offline) {
      if (d.lane !== state.lane) continue;
      devices.push(id);
      kinds.add(d.kind);
    }
    devices.sort();
    const paused = PAUSING_KINDS.some((k) => kinds.has(k));
    return {
      ...state,
      message: paused ? pausedMessage(kinds) : state.message,
      paused,
      offline_devices: devices,
    };
  }
}
