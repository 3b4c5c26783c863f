import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import { dataLossEvent } from './data-loss-event.js';
import { statfsFreeBytes } from './disk-guard.js';
import { Outbox } from './outbox.js';
import { isDiskFull } from './outbox-maintenance.js';
import { registerOutboxMetrics } from './outbox-metrics.js';
import { openCheckedOutbox } from './outbox-recovery.js';
import { outboxDbPath } from './outbox-status.js';
import { DiskReserve } from './reserve.js';
import { StateKeeper } from './state-keeper.js';

/** Envelope bytes around the items of one batch message (`{"store":…,"sent_at":…,"batch":[…]}`). */
export const BATCH_ENVELOPE_BYTES = 256;
const PAGE_BYTES = 4096;

export interface OpenOutboxDeps {
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  /** Tests: simulate a nearly full disk. Default: statfs on data_dir. */
  freeDiskBytes?: () => number;
}

export function outboxStatePath(config: Pick<LoadedConfig, 'dataDir'>): string {
  return join(config.dataDir, 'outbox.state.json');
}

export function outboxReservePath(config: Pick<LoadedConfig, 'dataDir'>): string {
  return join(config.dataDir, 'outbox.reserve');
}

/** WAL pages between checkpoints: at most half the reserve, so a checkpoint on a full disk still fits. */
export function autocheckpointPages(reserveBytes: number): number {
  if (reserveBytes <= 0) return 1000;
  return Math.max(16, Math.min(1000, Math.floor(reserveBytes / 2 / PAGE_BYTES)));
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
    pageBytes: PAGE_BYTES,
  };
}

/**
 * Open the durable outbox in `${data_dir}/outbox.db`, checked first (see outbox-recovery.ts): a lost or
 * corrupt outbox is moved aside and reported in-band by a `gateway.data_loss` event in a new epoch. It is
 * the gateway's EventSink and a Feature.
 */
export async function openOutbox(
  config: Pick<LoadedConfig, 'outbox' | 'cloud' | 'dataDir'>,
  deps: OpenOutboxDeps,
): Promise<Outbox> {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = deps.logger.child({ mod: 'outbox' });
  const reserve = new DiskReserve(outboxReservePath(config), config.outbox.reserve_bytes);
  const open = () =>
    openCheckedOutbox({
      dbPath: outboxDbPath(config),
      statePath: outboxStatePath(config),
      now: deps.clock.now(),
      autocheckpointPages: autocheckpointPages(reserve.bytes),
      logger,
    });
  let opened: ReturnType<typeof openCheckedOutbox>;
  try {
    opened = open();
  } catch (err) {
    // Started on a full disk: the reserve is there for exactly this.
    if (!isDiskFull((err as Error).cause ?? err) || reserve.release() === 0) throw err;
    logger.warn({ path: reserve.path }, 'disk full at start: outbox released its disk reserve');
    opened = open();
  }
  const options = { ...outboxOptions(config, deps), reserve };
  try {
    reserve.refill(options.freeDiskBytes(), config.outbox.min_free_disk_bytes);
  } catch (err) {
    logger.warn({ err, path: reserve.path }, 'outbox disk reserve could not be filled');
  }
  const outbox = new Outbox(opened.storage, options);
  const keeper = new StateKeeper(outboxStatePath(config), outbox, deps.clock, logger);
  if (opened.loss) {
    outbox.appendInternal(dataLossEvent(opened.loss, deps.clock.now(), options.maxEventBytes));
    outbox.flush();
  }
  keeper.write();
  if (reserve.missing() > 0) outbox.watchDisk();
  if (deps.metrics) outbox.onClose(registerOutboxMetrics(outbox, deps.metrics));
  const t = outbox.totals();
  logger.info(
    {
      path: outboxDbPath(config),
      epoch: outbox.state.epoch,
      mustDeliver: t.must_deliver.count,
      telemetry: t.telemetry.count,
      reserveBytes: reserve.present(),
    },
    'outbox opened',
  );
  return outbox;
}
