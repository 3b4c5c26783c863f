import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import type { HealthExpectation } from '../../../../shared/src/devices/define.js';
import { kindExpectations, kindOfReading } from '../../../../shared/src/devices/tables.js';

/**
 * How often each kind of device is expected to be heard from: data, or a `devices/{id}/status` heartbeat when
 * it has nothing to report (a scanner in a quiet hour). A device is offline once nothing arrived for
 * `intervalMs × health.offline_after_missed` (default 3). Each kind's definition (`health`) says it; the
 * tables here are derived from the definitions, as is `kindOfReading` (the kind a reading implies).
 */
export type KindExpectation = HealthExpectation;
export { kindExpectations, kindOfReading };

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
