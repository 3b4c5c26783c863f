import { Backoff } from '../../../../shared/src/backoff.js';
import { repeat, systemClock } from '../../../../shared/src/clock.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { DiskGuard } from './disk-guard.js';
import type { DiskPressure } from './disk-pressure.js';
import type { OutboxState } from './outbox-state.js';
import type { OutboxStorage } from './outbox-storage.js';

/** The disk reserve as the outbox uses it (`DiskReserve`; tests may pass their own). */
export interface ReserveLike {
  readonly bytes: number;
  missing(): number;
  release(): number;
  refill(freeBytes: number, keepFree: number): number;
}

/** First retry of a failed write, doubled up to the maximum: a full disk is not retried in a tight loop. */
export const RETRY_MIN_MS = 50;
export const RETRY_MAX_MS = 5_000;
/** Deletes per transaction when retrying: a small transaction needs few WAL frames. */
const DELETE_CHUNK = 1_000;
/** How often space is looked at again while refusing or while the reserve is not whole. */
const WATCH_MS = 1_000;
/** Shrink only after a drain that left at least this much reusable… */
const SHRINK_MIN_BYTES = 4 * 1024 * 1024;
/**
 * …and at most this much still queued: VACUUM rewrites what is left, synchronously, so it runs when a drain
 * is over (a copy of a few hundred KiB takes milliseconds); mid-drain it would copy the backlog again and again.
 */
const SHRINK_MAX_QUEUED_BYTES = 1024 * 1024;

export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

export interface MaintenanceDeps {
  storage: OutboxStorage;
  state: OutboxState;
  guard: DiskGuard;
  pressure: DiskPressure;
  reserve: ReserveLike | undefined;
  floorBytes: number;
  logger?: Logger | undefined;
  /** Write these deletes alone (throws on failure). */
  flushDeletes(ords: readonly number[]): void;
  onWriteError(err: unknown): void;
  /** The retry got the deletes through: commit whatever else is pending. */
  resume(): void;
}

/**
 * What keeps a full disk from becoming a deadlock: failed writes are retried with backoff (deletes first, in
 * small transactions of their own), the reserve is released when the disk is full and refilled when space is
 * back, and outbox.db gives its free pages back to the filesystem (VACUUM) after large drains.
 */
export class OutboxMaintenance {
  /** Disk retries pace I/O on real time (kept alive), whatever the outbox's clock is: 50 ms doubling to 5 s. */
  private readonly retries = new Backoff(systemClock({ keepAlive: true }), {
    initialMs: RETRY_MIN_MS,
    maxMs: RETRY_MAX_MS,
  });
  private pendingDeletes: number[] = [];
  private takeDeletes: () => number[] = () => [];
  private stopWatching: (() => void) | null = null;
  private shrinkTask: NodeJS.Immediate | null = null;
  private readonly throttle = createLogThrottle({ burst: 1 });

  constructor(private readonly deps: MaintenanceDeps) {}

  retrying(): boolean {
    return this.retries.scheduled;
  }

  /** A write failed: log (throttled); a full disk releases the reserve and makes the outbox refuse; retry later. */
  writeFailed(err: unknown, take: () => number[]): void {
    this.deps.guard.invalidate();
    const full = isDiskFull(err);
    if (this.throttle.allow(full ? 'full' : 'write').log) {
      this.deps.logger?.error({ err }, full ? 'outbox write failed: disk full' : 'outbox write failed');
    }
    if (full) {
      this.releaseReserve();
      this.deps.pressure.enter('write_failed');
    }
    this.retryLater(take);
  }

  /** Take the pending deletes over and try again later, doubling the wait each time. */
  retryLater(take: () => number[]): void {
    this.takeDeletes = take;
    this.pendingDeletes.push(...take());
    this.watch();
    if (this.retries.scheduled) return;
    this.retries.schedule(() => this.retry());
  }

  /** A full commit went through: the next failure starts again from the shortest wait. */
  succeeded(): void {
    this.retries.reset();
  }

  private retry(): void {
    this.pendingDeletes.push(...this.takeDeletes());
    while (this.pendingDeletes.length > 0) {
      const chunk = this.pendingDeletes.slice(0, DELETE_CHUNK);
      try {
        this.deps.flushDeletes(chunk);
      } catch (err) {
        this.deps.onWriteError(err);
        return;
      }
      this.pendingDeletes.splice(0, chunk.length);
    }
    this.afterDeletes();
    this.deps.resume();
  }

  releaseReserve(): void {
    const released = this.deps.reserve?.release() ?? 0;
    if (released === 0) return;
    this.deps.guard.invalidate();
    this.deps.logger?.warn(
      { releasedBytes: released },
      'outbox released its disk reserve so deletes and checkpoints can run',
    );
  }

  /** Look at the disk every second while refusing or while the reserve is not whole. */
  watch(): void {
    if (this.stopWatching) return;
    this.stopWatching = repeat(systemClock(), WATCH_MS, () => this.tick());
  }

  private tick(): void {
    this.refill();
    this.deps.pressure.check();
    this.maybeShrink();
    if (!this.deps.pressure.isRefusing() && (this.deps.reserve?.missing() ?? 0) <= 0 && this.stopWatching) {
      this.stopWatching();
      this.stopWatching = null;
    }
  }

  private refill(): void {
    const reserve = this.deps.reserve;
    if (!reserve || reserve.missing() <= 0) return;
    try {
      const added = reserve.refill(this.deps.guard.read().free, this.deps.floorBytes);
      if (added === 0) return;
      this.deps.guard.invalidate();
      this.deps.logger?.info({ addedBytes: added }, 'outbox disk reserve refilled');
    } catch (err) {
      this.deps.logger?.warn({ err }, 'outbox disk reserve could not be refilled');
    }
  }

  afterDeletes(): void {
    this.maybeShrink();
  }

  private maybeShrink(): void {
    if (this.shrinkTask) return;
    const reclaimable = this.deps.storage.reclaimableBytes();
    const used = this.deps.state.usedBytes();
    if (used > SHRINK_MAX_QUEUED_BYTES) return;
    // While refusing, the space is wanted back at once (other files on the filesystem need it too).
    const worth = this.deps.pressure.isRefusing() ? reclaimable > 0 : reclaimable >= SHRINK_MIN_BYTES;
    // VACUUM copies what is queued twice (a temporary copy, then the WAL): it must fit in what is free.
    if (worth && 2 * used <= this.deps.guard.read().free) {
      this.shrinkTask = setImmediate(() => this.shrinkStep());
    }
  }

  private shrinkStep(): void {
    this.shrinkTask = null;
    let freed: number;
    try {
      freed = this.deps.storage.shrink();
    } catch (err) {
      this.deps.onWriteError(err);
      return;
    }
    this.deps.guard.invalidate();
    if (freed > 0) this.deps.logger?.info({ freedBytes: freed }, 'outbox.db shrank after a drain');
  }

  /** Stop timers; returns deletes still pending so the final commit can try them once more. */
  stop(): number[] {
    this.retries.cancel();
    this.stopWatching?.();
    if (this.shrinkTask) clearImmediate(this.shrinkTask);
    this.stopWatching = null;
    this.shrinkTask = null;
    const pending = this.pendingDeletes;
    this.pendingDeletes = [];
    return pending;
  }
}
