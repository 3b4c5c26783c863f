import type { Clock, TimerHandle } from '../core/clock.js';
import type { DeviceRegistry } from '../ports/device-registry.js';

/**
 * `storegate device remove` runs in another process and writes only to the registry database. Every interval the
 * broker checks its connected devices against the registry and closes the sessions of removed ones, so a removed
 * device is cut off within one interval instead of at its next reconnect. (A rotated secret takes effect at the
 * next CONNECT; the registry exposes no credential version to compare against.)
 */
export function startRemovedDeviceSweep(options: {
  clock: Clock;
  intervalMs: number;
  registry: Pick<DeviceRegistry, 'get'>;
  connectedDevices: () => Iterable<string>;
  onRemoved: (deviceId: string) => void;
}): { stop(): void } {
  let timer: TimerHandle | null = null;
  const sweep = () => {
    for (const id of [...options.connectedDevices()]) {
      if (!options.registry.get(id)) options.onRemoved(id);
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
