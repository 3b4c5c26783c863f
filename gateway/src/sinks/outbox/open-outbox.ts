import { mkdirSync } from 'node:fs';
import type { Registry } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import { statfsFreeBytes } from './disk-guard.js';
import { Outbox } from './outbox.js';
import { registerOutboxMetrics } from './outbox-metrics.js';
import { outboxDbPath } from './outbox-status.js';
import { SqliteOutboxStorage } from './sqlite-storage.js';

/** Envelope bytes around the items of one batch message (`{"store":…,"sent_at":…,"batch":[…]}`). */
export const BATCH_ENVELOPE_BYTES = 256;

export interface OpenOutboxDeps {
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  /** Tests: simulate a nearly full disk. Default: statfs on data_dir. */
  freeDiskBytes?: () => number;
}

/** The outbox options a config implies (also used by tests that build an outbox on another storage). */
export function outboxOptions(
  config: Pick<LoadedConfig, 'outbox' | 'cloud' | 'dataDir'>,
  deps: OpenOutboxDeps,
) {
  const o = config.outbox;
  // An event must fit in one cloud message on its own, or it could never leave.
  const cloudCap = config.cloud
    ? config.cloud.max_message_bytes - BATCH_ENVELOPE_BYTES
    : Number.POSITIVE_INFINITY;
  return {
    budgetBytes: o.budget_bytes,
    minFreeDiskBytes: o.min_free_disk_bytes,
    commitIntervalMs: o.commit_interval_ms,
    watermarks: { ...o.watermarks },
    compactTarget: o.compact_target,
    maxEventBytes: Math.min(o.max_event_bytes, cloudCap),
    clock: deps.clock,
    logger: deps.logger.child({ mod: 'outbox' }),
    freeDiskBytes: deps.freeDiskBytes ?? statfsFreeBytes(config.dataDir),
  };
}

/** Open the durable outbox in `${data_dir}/outbox.db`; it is the gateway's EventSink and a Feature. */
export async function openOutbox(
  config: Pick<LoadedConfig, 'outbox' | 'cloud' | 'dataDir'>,
  deps: OpenOutboxDeps,
): Promise<Outbox> {
  mkdirSync(config.dataDir, { recursive: true });
  const outbox = new Outbox(new SqliteOutboxStorage(outboxDbPath(config)), outboxOptions(config, deps));
  if (deps.metrics) outbox.onClose(registerOutboxMetrics(outbox, deps.metrics));
  const t = outbox.totals();
  deps.logger
    .child({ mod: 'outbox' })
    .info(
      { path: outboxDbPath(config), mustDeliver: t.must_deliver.count, telemetry: t.telemetry.count },
      'outbox opened',
    );
  return outbox;
}
