import type { Clock, TimerHandle } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Gateway } from '../app.js';
import { deriveEventId } from '../core/event-ids.js';
import type { StoreEvent } from '../core/events.js';
import { readUpgradeRecord, type UpgradeRecord, writeUpgradeRecord } from '../deploy/upgrade-record.js';

export interface ReleaseReporterDeps {
  clock: Clock;
  logger: Logger;
  current: () => Gateway;
  /** The version this process runs. */
  running: string;
  intervalMs?: number;
}

/** The must-deliver event for a finished upgrade; null while it runs or when it failed before switching. */
export function releaseEvent(store: string, running: string, r: UpgradeRecord): StoreEvent | null {
  if (r.to === null || r.finished_at === undefined) return null;
  const base = {
    t: r.finished_at,
    stream: 'gateway/release',
    dataClass: 'must_deliver' as const,
    // Sent again after a crash between the outbox and the record: same id, the cloud deduplicates.
    id: deriveEventId({
      store,
      device: 'gateway',
      msgId: `upgrade-${r.started_at}`,
      type: `release.${r.state}`,
      ordinal: 0,
    }),
  };
  const data = {
    from: r.from,
    to: r.to,
    running,
    artifact: r.artifact,
    request_id: r.request_id ?? null,
    forced: r.forced,
    started_at: r.started_at,
    finished_at: r.finished_at,
  };
  if (r.state === 'upgraded')
    return { ...base, type: 'release.upgraded', data: { ...data, backup: r.backup ?? '' } };
  if (r.state === 'rolled_back')
    return { ...base, type: 'release.rolled_back', data: { ...data, problem: r.problem ?? '' } };
  return null;
}

/**
 * After a start: the upgrade that restarted this gateway ends (health gate passed, or rolled back) only once
 * this gateway is up, so the record is polled until it is final; its event is emitted once, then marked.
 * Returns the stop function.
 */
export function startReleaseReporter(deps: ReleaseReporterDeps): () => void {
  let timer: TimerHandle | null = null;
  let stopped = false;
  const tick = async () => {
    const gateway = deps.current();
    const { dataDir, store } = gateway.context.config;
    const record = readUpgradeRecord(dataDir);
    if (!record || record.reported_at !== undefined || record.state === 'failed') return;
    if (record.state === 'in_progress') {
      schedule();
      return;
    }
    const event = releaseEvent(store.id, deps.running, record);
    if (event) {
      await gateway.context.pipeline.emit([event]);
      deps.logger.info({ type: event.type, from: record.from, to: record.to }, 'upgrade outcome reported');
    }
    writeUpgradeRecord(dataDir, { ...readUpgradeRecord(dataDir)!, reported_at: deps.clock.now() });
  };
  const schedule = () => {
    if (stopped) return;
    timer = deps.clock.setTimeout(() => {
      tick().catch((err) => {
        deps.logger.warn({ err }, 'could not report the upgrade outcome; trying again');
        schedule();
      });
    }, deps.intervalMs ?? 2_000);
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) deps.clock.clearTimeout(timer);
  };
}
