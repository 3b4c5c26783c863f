import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { EventEnvelope } from '../../core/events.js';
import type { DiskGuard } from './disk-guard.js';
import {
  type DiskFigures,
  diskRecoveredEvent,
  diskRefusingEvent,
  type RefusedCounts,
} from './internal-events.js';

/** Refusing ends once the reserve's size (at least 64 KiB) is available above the floor again. */
export function resumeMarginBytes(reserveBytes: number): number {
  return Math.max(reserveBytes, 64 * 1024);
}

/** While refusing, one summary line per this span, whatever the refusal rate. */
const SUMMARY_EVERY_MS = 60_000;

export interface DiskPressureOptions {
  guard: DiskGuard;
  floorBytes: number;
  /** Refusing ends once this much more than the floor is available again (hysteresis). */
  resumeMarginBytes: number;
  clock: Clock;
  logger?: Logger | undefined;
  /** An event about the state change, to be stored in-band (it bypasses the floor: it is tiny). */
  emit(event: EventEnvelope): void;
  /** The state changed: persist it (`refusing_since`), so `storegate doctor` can tell. */
  persist(refusingSince: number | null): void;
  /** Make a tiny write (a persisted value) to learn whether writing works again. */
  probe(): void;
}

/**
 * Disk-full is a state, not an error loop: entered when an append would cross the floor or a write found the
 * disk full, left automatically when space is back (also space freed inside outbox.db by a drain). While in
 * it, every append is refused (no PUBACK), one line is logged on entry, one summary a minute and one on exit.
 */
export class DiskPressure {
  private since: number | null = null;
  private sinceMono = 0;
  private lastSummary = 0;
  private refused: RefusedCounts = { must_deliver: 0, telemetry: 0, by_type: {} };
  private refusedSinceSummary = 0;
  /** A write failed for lack of space: statfs alone does not end refusing until a write goes through. */
  private awaitingWrite = false;

  constructor(private readonly options: DiskPressureOptions) {}

  refusingSince(): number | null {
    return this.since;
  }

  isRefusing(): boolean {
    return this.since !== null;
  }

  figures(): DiskFigures {
    const r = this.options.guard.read();
    return {
      available_bytes: r.available,
      free_bytes: r.free,
      reclaimable_bytes: r.reclaimable,
      floor_bytes: this.options.floorBytes,
    };
  }

  enter(cause: 'disk_floor' | 'write_failed'): void {
    // statfs may show room while writes fail (quotas, or another program filled the disk since the reading):
    // then a write must succeed again (the outbox's own note, a retried delete) before appends are let in.
    if (cause === 'write_failed') this.awaitingWrite = true;
    if (this.since !== null) return;
    const { clock, logger } = this.options;
    this.since = clock.now();
    this.sinceMono = clock.monotonic();
    this.lastSummary = this.sinceMono;
    const figures = this.figures();
    logger?.error(
      { cause, ...figures },
      'outbox refusing new readings: disk full (devices are not acknowledged and keep their data)',
    );
    this.options.persist(this.since);
    this.options.emit(diskRefusingEvent(this.since, cause, figures));
  }

  /** Appends refused for lack of space, counted for the recovery event and the summary line. */
  count(events: readonly EventEnvelope[]): void {
    for (const e of events) {
      this.refused[e.dataClass]++;
      this.refused.by_type[e.type] = (this.refused.by_type[e.type] ?? 0) + 1;
    }
    this.refusedSinceSummary += events.length;
    const now = this.options.clock.monotonic();
    if (now - this.lastSummary >= SUMMARY_EVERY_MS) {
      this.options.logger?.warn(
        { refused: this.refusedSinceSummary, ...this.figures() },
        'outbox still refusing new readings: disk full',
      );
      this.lastSummary = now;
      this.refusedSinceSummary = 0;
    }
  }

  /** A commit that wrote new data went through (deletes alone prove little): writing works again. */
  wrote(): void {
    this.awaitingWrite = false;
  }

  /** Leave the state if space is back; true if it was left. */
  check(): boolean {
    if (this.since === null) return false;
    const { guard, floorBytes, resumeMarginBytes, clock, logger } = this.options;
    if (guard.available() < floorBytes + resumeMarginBytes) return false;
    if (this.awaitingWrite) {
      this.options.probe();
      return false;
    }
    const figures = this.figures();
    const since = this.since;
    const durationS = Math.round((clock.monotonic() - this.sinceMono) / 1000);
    logger?.warn({ refused: this.refused, durationS, ...figures }, 'outbox accepting readings again');
    this.since = null;
    this.options.persist(null);
    this.options.emit(diskRecoveredEvent(clock.now(), since, this.refused, figures));
    this.refused = { must_deliver: 0, telemetry: 0, by_type: {} };
    this.refusedSinceSummary = 0;
    return true;
  }
}
