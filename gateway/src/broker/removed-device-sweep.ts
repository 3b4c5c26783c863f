import type { Clock, TimerHandle } from '../../../shared/src/clock.js';

export type Revocation = 'device_removed' | 'secret_rotated';

/**
 * `storegate device remove` and `device rotate-secret` run in another process and write only to the registry
 * database. Every interval the broker asks `revoked(id)` for each connected device and closes the sessions whose
 * device was removed or whose secret changed since they logged in, so a revoked credential is cut off within one
 * interval instead of at the device's next reconnect.
 */
export function startRevokedDeviceSweep(options: {
  clock: Clock;
  intervalMs: number;
  connectedDevices: () => Iterable<string>;
  revoked: (deviceId: string) => Revocation | null;
  onRevoked: (deviceId: string, why: Revocation) => void;
}): { stop(): void } {
  let timer: TimerHandle | null = null;
  const sweep = () => {
    for (const id of [...options.connectedDevices()]) {
      const why = options.revoked(id);
      if (why) options.onRevoked(id, why);
    }
    timer = options.clock.setTimeout(sweep, options.intervalMs);
  };
  timer = options.clock.setTimeout(sweep, options.intervalMs);
  return {
    stop() {
      if (timer) options.clock.clearTimeout(timer);
      timer = null;
    },
  };
}
