/** Time is a dependency: processors, debouncers, backoff and windows all take a Clock. */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Wall-clock epoch ms: for stamps. It may step (NTP, an RTC-less boot, an operator); never use it for spans. */
  now(): number;
  /** Monotonic ms from an arbitrary origin: for windows, timeouts and spans. Never goes back, never steps. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Real time. Its timers are unref'd (they never keep the process alive) unless `keepAlive`.
 * Domain code takes the injected Clock; pacing of I/O that must run on real time even in a test on virtual
 * time (database commit batching, disk-full retries, metric sampling, child-process grace periods) uses a
 * `systemClock()` of its own, so that no module but this one calls the timers or `Date.now` directly
 * (enforced by .biome/no-wallclock.grit).
 */
export function systemClock(options: { keepAlive?: boolean } = {}): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      if (!options.keepAlive) t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/**
 * Deterministic clock for tests and `storegate replay`: time moves only when told to. `advance`/`advanceTo`
 * move wall and monotonic time together; `stepWall` moves only the wall clock, as NTP or an operator would.
 * Timers run on monotonic time, like Node's, so a wall step neither fires nor delays them.
 */
export class FakeClock implements Clock {
  private current: number;
  private mono = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  monotonic(): number {
    return this.mono;
  }

  /** Step the wall clock by `deltaMs` (negative: back) without moving monotonic time or firing timers. */
  stepWall(deltaMs: number): void {
    this.current += deltaMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { at: this.mono + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  /** Move wall time forward to `t` (monotonic time by as much), firing due timers in time order. */
  advanceTo(t: number): void {
    if (t < this.current) return;
    // Timers set by timers fire too; each sees the clock at its own due time.
    const target = this.mono + Math.max(0, t - this.current);
    for (;;) {
      let dueId: number | undefined;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.pending) {
        if (timer.at <= target && timer.at < dueAt) {
          dueAt = timer.at;
          dueId = id;
        }
      }
      if (dueId === undefined) break;
      const timer = this.pending.get(dueId)!;
      this.pending.delete(dueId);
      if (timer.at > this.mono) {
        this.current += timer.at - this.mono;
        this.mono = timer.at;
      }
      timer.fn();
    }
    if (target > this.mono) {
      this.current += target - this.mono;
      this.mono = target;
    }
  }

  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  pendingTimers(): number {
    return this.pending.size;
  }
}

/** A promise that resolves after `ms` on `clock` (virtual time under a FakeClock). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Run `fn` every `ms` on `clock` (first run after `ms`) until the returned cancel is called. */
export function repeat(clock: Clock, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | null = null;
  const arm = () => {
    handle = clock.setTimeout(() => {
      arm();
      fn();
    }, ms);
  };
  arm();
  return () => {
    if (handle) clock.clearTimeout(handle);
    handle = null;
  };
}
