import type { Clock } from '../../../shared/src/clock.js';
import type { LoadedConfig } from '../config/load.js';
import { StoregateError } from '../core/errors.js';
import { type GatewayProbe, storeActivity } from './gateway-probe.js';
import { inQuietWindow } from './quiet-window.js';

export interface QuietGateDeps {
  config: LoadedConfig;
  probe: GatewayProbe;
  clock: Clock;
  log(line: string): void;
}

/**
 * Trading-hours awareness: wait while a lane session or a shelf calibration is open (always) and until the
 * configured quiet window (unless forced); SG_UPGRADE_BLOCKED after upgrade.max_wait_ms. Returns the ms waited.
 */
export async function waitForQuietTime(deps: QuietGateDeps, force: boolean): Promise<number> {
  const { config, clock } = deps;
  const cfg = config.upgrade;
  const started = clock.monotonic();
  let said = '';
  for (;;) {
    const reason = await busyReason(deps, force);
    if (!reason) return clock.monotonic() - started;
    if (reason !== said) deps.log(`waiting: ${reason}`);
    said = reason;
    if (clock.monotonic() - started >= cfg.max_wait_ms) {
      throw new StoregateError('SG_UPGRADE_BLOCKED', `gave up after ${cfg.max_wait_ms} ms: ${reason}`);
    }
    await new Promise<void>((resolve) => clock.setTimeout(resolve, cfg.poll_interval_ms));
  }
}

async function busyReason(deps: QuietGateDeps, force: boolean): Promise<string | null> {
  const { config, clock } = deps;
  const activity = await storeActivity(deps.probe, clock.now(), config.upgrade.calibration_idle_ms);
  if (activity.laneSessions) return `${activity.laneSessions} lane session(s) open`;
  if (activity.calibrationOpen) return 'a shelf calibration is in progress';
  const window = config.upgrade.quiet_window;
  if (!force && window && !inQuietWindow(clock.now(), window, config.store.timezone)) {
    return `outside the quiet window ${window.start}-${window.end} (${config.store.timezone}); --force skips it`;
  }
  return null;
}
