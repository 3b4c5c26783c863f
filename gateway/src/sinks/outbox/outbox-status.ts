import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { statfsFreeBytes, type WatermarkLevel, watermarkLevel } from './disk-guard.js';
import { resumeMarginBytes } from './disk-pressure.js';
import type { Outbox } from './outbox.js';
import { lostSets } from './outbox-recovery.js';
import type { Totals } from './outbox-storage.js';
import { DiskReserve } from './reserve.js';
import {
  bytesEnqueuedSince,
  openOutboxDatabase,
  readStoredState,
  SqliteOutboxStorage,
} from './sqlite-storage.js';

/** What `storegate outbox status --json` prints and the `outbox.status` command returns (snake_case wire). */
export interface OutboxStatus {
  /** `refusing`: disk full, every append refused (no PUBACK); `compacting`: telemetry being degraded. */
  state: 'ok' | 'compacting' | 'refusing';
  refusing_since: number | null;
  epoch: number;
  depth: { must_deliver: number; telemetry: number };
  bytes: { must_deliver: number; telemetry: number };
  used_bytes: number;
  budget_bytes: number;
  used_share: number;
  watermark: WatermarkLevel;
  free_disk_bytes: number;
  /** Free pages inside outbox.db: reused before the file grows, so they count as available. */
  reclaimable_bytes: number;
  /** Free disk + reclaimable − released reserve: what the floor is compared with. */
  available_disk_bytes: number;
  min_free_disk_bytes: number;
  reserve_bytes: number;
  reserve_present_bytes: number;
  /** outbox.db plus its WAL on disk. */
  file_bytes: number;
  /** Outbox files moved aside after a loss (inspect, then delete them). */
  lost_files: string[];
  oldest_unsent_age_s: number | null;
  /** Bytes still queued that arrived in the last 5 minutes, per second: how fast the backlog grows. */
  growth_bytes_per_s: number;
  /** Seconds until the budget is full at that growth; null when the backlog is not growing. */
  budget_full_eta_s: number | null;
  streams: number;
  /** `compacted:<reason>`, `dropped:<reason>` (persisted) and `rejected:<reason>` (this process). */
  counters: Record<string, number>;
}

export function outboxDbPath(config: Pick<LoadedConfig, 'dataDir'>): string {
  return join(config.dataDir, 'outbox.db');
}

/** The window over which backlog growth is measured for the time-until-full estimate. */
export const GROWTH_WINDOW_MS = 5 * 60_000;

interface Inputs {
  totals: Totals;
  oldest: number | null;
  recentBytes: number;
  now: number;
  free: number;
  reclaimable: number;
  reservePresent: number;
  refusingSince: number | null;
  compacting: boolean;
  epoch: number;
  fileBytes: number;
  dbPath: string | null;
  streams: number;
  counters: Map<string, number>;
}

function build(config: Pick<LoadedConfig, 'outbox'>, i: Inputs): OutboxStatus {
  const used = i.totals.must_deliver.bytes + i.totals.telemetry.bytes;
  const budget = config.outbox.budget_bytes;
  const reserve = config.outbox.reserve_bytes;
  // A backlog younger than the window grew over its own age, not over the whole window.
  const span =
    i.oldest === null ? GROWTH_WINDOW_MS : Math.min(GROWTH_WINDOW_MS, Math.max(1000, i.now - i.oldest));
  const growth = i.recentBytes / (span / 1000);
  const watermark = watermarkLevel(used, budget, config.outbox.watermarks);
  return {
    state:
      i.refusingSince !== null
        ? 'refusing'
        : i.compacting || watermark === 'compact' || watermark === 'critical'
          ? 'compacting'
          : 'ok',
    refusing_since: i.refusingSince,
    epoch: i.epoch,
    depth: { must_deliver: i.totals.must_deliver.count, telemetry: i.totals.telemetry.count },
    bytes: { must_deliver: i.totals.must_deliver.bytes, telemetry: i.totals.telemetry.bytes },
    used_bytes: used,
    budget_bytes: budget,
    used_share: Math.round((used / budget) * 10_000) / 10_000,
    watermark,
    free_disk_bytes: i.free,
    reclaimable_bytes: i.reclaimable,
    available_disk_bytes: i.free + i.reclaimable - Math.max(0, reserve - i.reservePresent),
    min_free_disk_bytes: config.outbox.min_free_disk_bytes,
    reserve_bytes: reserve,
    reserve_present_bytes: i.reservePresent,
    file_bytes: i.fileBytes,
    lost_files: i.dbPath === null ? [] : lostSets(i.dbPath),
    oldest_unsent_age_s: i.oldest === null ? null : Math.max(0, (i.now - i.oldest) / 1000),
    growth_bytes_per_s: Math.round(growth),
    budget_full_eta_s: growth > 0 ? Math.max(0, Math.round((budget - used) / growth)) : null,
    streams: i.streams,
    counters: Object.fromEntries([...i.counters].sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function liveOutboxStatus(outbox: Outbox, config: Pick<LoadedConfig, 'outbox'>): OutboxStatus {
  const disk = outbox.disk();
  const dbPath = outbox.storage instanceof SqliteOutboxStorage ? outbox.storage.path : null;
  const now = outbox.options.clock.now();
  return build(config, {
    totals: outbox.totals(),
    oldest: outbox.oldestEnqueuedAt(),
    recentBytes: outbox.storage.bytesEnqueuedSince(now - GROWTH_WINDOW_MS),
    now,
    free: disk.free,
    reclaimable: disk.reclaimable,
    reservePresent: outbox.options.reserve
      ? outbox.options.reserve.bytes - outbox.options.reserve.missing()
      : 0,
    refusingSince: outbox.pressure.refusingSince(),
    compacting: outbox.diskState() === 'compacting',
    epoch: outbox.state.epoch,
    fileBytes: dbPath === null ? 0 : fileBytes(dbPath),
    dbPath,
    streams: outbox.state.streamCount(),
    counters: outbox.state.counters,
  });
}

/**
 * Read the status straight from the database file: works while the gateway runs (WAL readers never block).
 * Whether appends are refused is decided by the same rule the gateway applies (available below the floor,
 * or still within the resume margin after the gateway recorded that it started refusing).
 */
export function readOutboxStatus(
  config: Pick<LoadedConfig, 'outbox' | 'dataDir'>,
  now = systemClock().now(),
): OutboxStatus {
  const path = outboxDbPath(config);
  if (!existsSync(path)) {
    throw new StoregateError('SG_NOT_READY', `no outbox database at ${path}`, {
      hint: 'the gateway creates it on first start; check data_dir in the config',
    });
  }
  const db = openOutboxDatabase(path, { readonly: true });
  try {
    const stored = readStoredState(db);
    const oldest = db.prepare('SELECT enqueued_at FROM events ORDER BY ord LIMIT 1').pluck().get() as
      | number
      | undefined;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const reclaimable = (db.pragma('freelist_count', { simple: true }) as number) * pageSize;
    const reserve = new DiskReserve(join(config.dataDir, 'outbox.reserve'), config.outbox.reserve_bytes);
    const free = statfsFreeBytes(config.dataDir)();
    const available = free + reclaimable - reserve.missing();
    const floor = config.outbox.min_free_disk_bytes;
    const recorded = stored.meta.get('refusing_since');
    const margin = resumeMarginBytes(config.outbox.reserve_bytes);
    const refusing = available < floor || (recorded !== undefined && available < floor + margin);
    return build(config, {
      totals: stored.totals,
      oldest: oldest ?? null,
      recentBytes: bytesEnqueuedSince(db, now - GROWTH_WINDOW_MS),
      now,
      free,
      reclaimable,
      reservePresent: reserve.present(),
      refusingSince: refusing ? Number(recorded ?? now) : null,
      compacting: false,
      epoch: stored.epoch,
      fileBytes: fileBytes(path),
      dbPath: path,
      streams: stored.streamSeqs.size,
      counters: stored.counters,
    });
  } finally {
    db.close();
  }
}

function fileBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // absent: nothing on disk
    }
  }
  return total;
}
