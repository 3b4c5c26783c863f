import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import type { ReadingType } from '../../../../shared/src/readings.js';

/**
 * How often each kind of device is expected to be heard from: data, or a `devices/{id}/status` heartbeat when
 * it has nothing to report (a scanner in a quiet hour). A device is offline once nothing arrived for
 * `intervalMs × health.offline_after_missed` (default 3). Kinds are described as data so a new kind is one row.
 */
export interface KindExpectation {
  intervalMs: number;
  /** What keeps it alive: a continuous data stream, or periodic status heartbeats. */
  basis: 'data' | 'heartbeat';
  note: string;
}

export const kindExpectations: Readonly<Record<DeviceKind, KindExpectation>> = Object.freeze({
  shelf: { intervalMs: 1_000, basis: 'data', note: 'weight samples or batches at least every second' },
  door: { intervalMs: 60_000, basis: 'heartbeat', note: 'counts when people pass, status every 60 s' },
  camera: { intervalMs: 60_000, basis: 'data', note: 'line/zone counts or status every 60 s' },
  scanner: { intervalMs: 300_000, basis: 'heartbeat', note: 'scans when used, status every 5 min' },
  scale: { intervalMs: 60_000, basis: 'heartbeat', note: 'readings when used, status every 60 s' },
  pos: { intervalMs: 300_000, basis: 'heartbeat', note: 'POS events when used, status every 5 min' },
  plant: { intervalMs: 60_000, basis: 'data', note: 'OPC UA values or status every 60 s' },
});

export type HealthState = 'online' | 'offline' | 'unknown';

export function offlineAfterMs(kind: DeviceKind, offlineAfterMissed: number): number {
  return kindExpectations[kind].intervalMs * offlineAfterMissed;
}

/**
 * Online if heard from within the window. `slackMs` widens it for readers that see last-seen with a delay
 * (the CLI reads the database, which the gateway updates in batches).
 */
export function isOnline(
  kind: DeviceKind,
  lastSeenAt: number | null,
  now: number,
  offlineAfterMissed: number,
  slackMs = 0,
): boolean {
  return lastSeenAt !== null && now - lastSeenAt <= offlineAfterMs(kind, offlineAfterMissed) + slackMs;
}

/** The kind a reading implies, for devices the registry does not know (serial plates, OPC UA points). */
export const kindOfReading: Readonly<Record<ReadingType, DeviceKind | null>> = Object.freeze({
  'shelf.weight': 'shelf',
  'door.count': 'door',
  'door.beam': 'door',
  'camera.line': 'camera',
  'camera.zone': 'camera',
  'scanner.scan': 'scanner',
  'scale.reading': 'scale',
  'pos.event': 'pos',
  'plant.value': 'plant',
  'device.status': null,
});
