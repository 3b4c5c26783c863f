import { existsSync } from 'node:fs';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { isCorruptionError } from '../../registry/db.js';
import { outboxDbPath, readOutboxStatus } from '../../sinks/outbox/outbox-status.js';
import { formatBytes } from '../output.js';
import type { CheckResult } from './doctor-checks.js';

/**
 * The outbox's true state, by the rule the gateway applies: `refusing` (disk full, every new reading refused
 * and not acknowledged) is a FAIL; `compacting` (telemetry degraded under the budget) a WARN.
 */
export function checkOutbox(config: LoadedConfig, now = systemClock().now()): CheckResult {
  const name = 'outbox';
  const path = outboxDbPath(config);
  if (!existsSync(path)) return { name, status: 'PASS', message: `${path} will be created at first start` };
  let s: ReturnType<typeof readOutboxStatus>;
  try {
    s = readOutboxStatus(config, now);
  } catch (err) {
    return {
      name,
      status: 'FAIL',
      message: `cannot read ${path}: ${(err as Error).message}`,
      details: isCorruptionError(err)
        ? ['the gateway moves a damaged outbox aside at its next start and reports the loss in-band']
        : [],
    };
  }
  const disk = [
    `available ${formatBytes(s.available_disk_bytes)} = free ${formatBytes(s.free_disk_bytes)}`,
    `+ reusable inside outbox.db ${formatBytes(s.reclaimable_bytes)}`,
    `- released reserve ${formatBytes(s.reserve_bytes - s.reserve_present_bytes)};`,
    `floor ${formatBytes(s.min_free_disk_bytes)}`,
  ].join(' ');
  const queued = `${s.depth.must_deliver} must-deliver and ${s.depth.telemetry} telemetry event(s) queued`;
  const details = [disk, `epoch ${s.epoch}, outbox.db ${formatBytes(s.file_bytes)} on disk`];
  for (const lost of s.lost_files) details.push(`moved aside after a loss: ${lost} (inspect, then delete)`);
  if (s.state === 'refusing') {
    const since = s.refusing_since === null ? '' : ` since ${new Date(s.refusing_since).toISOString()}`;
    return {
      name,
      status: 'FAIL',
      message: `refusing every new reading${since}: the disk is full (devices are not acknowledged and keep their data; it resumes by itself once space is free)`,
      details,
    };
  }
  const share = `${(s.used_share * 100).toFixed(1)} % of the budget (${formatBytes(s.budget_bytes)})`;
  if (s.state === 'compacting') {
    return {
      name,
      status: 'WARN',
      message: `compacting telemetry into rollups: ${share} used; must-deliver events are kept`,
      details,
    };
  }
  return {
    name,
    status: s.lost_files.length > 0 ? 'WARN' : 'PASS',
    message: `accepting readings: ${queued}, ${share}`,
    details,
  };
}
