import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { statfsFreeBytes, type WatermarkLevel, watermarkLevel } from './disk-guard.js';
import type { Outbox } from './outbox.js';
import type { Totals } from './outbox-storage.js';
import { bytesEnqueuedSince, openOutboxDatabase } from './sqlite-storage.js';

/** What `storegate outbox status --json` prints and the `outbox.status` command returns (snake_case wire). */
export interface OutboxStatus {
  depth: { must_deliver: number; telemetry: number };
  bytes: { must_deliver: number; telemetry: number };
  used_bytes: number;
  budget_bytes: number;
  used_share: number;
  watermark: WatermarkLevel;
  free_disk_bytes: number;
  min_free_disk_bytes: number;
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

function build(
  totals: Totals,
  config: Pick<LoadedConfig, 'outbox'>,
  oldest: number | null,
  recentBytes: number,
  now: number,
  freeDisk: number,
  streams: number,
  counters: Map<string, number>,
): OutboxStatus {
  const used = totals.must_deliver.bytes + totals.telemetry.bytes;
  const budget = config.outbox.budget_bytes;
  // A backlog younger than the window grew over its own age, not over the whole window.
  const span = oldest === null ? GROWTH_WINDOW_MS : Math.min(GROWTH_WINDOW_MS, Math.max(1000, now - oldest));
  const growth = recentBytes / (span / 1000);
  return {
    depth: { must_deliver: totals.must_deliver.count, telemetry: totals.telemetry.count },
    bytes: { must_deliver: totals.must_deliver.bytes, telemetry: totals.telemetry.bytes },
    used_bytes: used,
    budget_bytes: budget,
    used_share: Math.round((used / budget) * 10_000) / 10_000,
    watermark: watermarkLevel(used, budget, config.outbox.watermarks),
    free_disk_bytes: freeDisk,
    min_free_disk_bytes: config.outbox.min_free_disk_bytes,
    oldest_unsent_age_s: oldest === null ? null : Math.max(0, (now - oldest) / 1000),
    growth_bytes_per_s: Math.round(growth),
    budget_full_eta_s: growth > 0 ? Math.max(0, Math.round((budget - used) / growth)) : null,
    streams,
    counters: Object.fromEntries([...counters].sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function liveOutboxStatus(outbox: Outbox, config: Pick<LoadedConfig, 'outbox'>): OutboxStatus {
  return build(
    outbox.totals(),
    config,
    outbox.oldestEnqueuedAt(),
    outbox.storage.bytesEnqueuedSince(outbox.options.clock.now() - GROWTH_WINDOW_MS),
    outbox.options.clock.now(),
    outbox.freeDiskBytes(),
    outbox.state.streamCount(),
    outbox.state.counters,
  );
}

/** Read the status straight from the database file: works while the gateway runs (WAL readers never block). */
export function readOutboxStatus(
  config: Pick<LoadedConfig, 'outbox' | 'dataDir'>,
  now = Date.now(),
): OutboxStatus {
  const path = outboxDbPath(config);
  if (!existsSync(path)) {
    throw new StoregateError('SG_NOT_READY', `no outbox database at ${path}`, {
      hint: 'the gateway creates it on first start; check data_dir in the config',
    });
  }
  const db = openOutboxDatabase(path, { readonly: true });
  try {
    const totals: Totals = { must_deliver: { count: 0, bytes: 0 }, telemetry: { count: 0, bytes: 0 } };
    const rows = db
      .prepare(
        'SELECT data_class, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM events GROUP BY data_class',
      )
      .all() as Array<{ data_class: number; n: number; b: number }>;
    for (const r of rows)
      totals[r.data_class === 0 ? 'must_deliver' : 'telemetry'] = { count: r.n, bytes: r.b };
    const oldest = db.prepare('SELECT enqueued_at FROM events ORDER BY ord LIMIT 1').pluck().get() as
      | number
      | undefined;
    const streams = db.prepare('SELECT COUNT(*) FROM streams').pluck().get() as number;
    const counters = db.prepare('SELECT name, value FROM counters').all() as Array<{
      name: string;
      value: number;
    }>;
    return build(
      totals,
      config,
      oldest ?? null,
      bytesEnqueuedSince(db, now - GROWTH_WINDOW_MS),
      now,
      statfsFreeBytes(config.dataDir)(),
      streams,
      new Map(counters.map((c) => [c.name, c.value])),
    );
  } finally {
    db.close();
  }
}
