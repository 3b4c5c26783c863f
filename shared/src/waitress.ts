import type { Clock, TimerHandle } from './clock.js';

interface Waiter<P, M> {
  matcher: M;
  resolve(payload: P): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}
export class WaitCancelledError extends Error {
  override readonly name = 'WaitCancelledError';
}

/**
 * The one place request/response matching over a link happens (after zigbee-herdsman's waitress): callers
 * wait for a payload that satisfies a matcher, with a timeout on the injected clock. `cancelAll` on link
 * close rejects every waiter and clears every timer, so nothing dangles after a port goes away.
 */
export class Waitress<P, M> {
  private readonly waiters = new Map<number, Waiter<P, M>>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly matches: (payload: P, matcher: M) => boolean,
    private readonly describe: (matcher: M, timeoutMs: number) => string,
  ) {}

  waitFor(matcher: M, timeoutMs: number): Promise<P> {
    const id = this.nextId++;
    return new Promise<P>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.waiters.delete(id);
        reject(new WaitTimeoutError(this.describe(matcher, timeoutMs)));
      }, timeoutMs);
      this.waiters.set(id, { matcher, resolve, reject, timer });
    });
  }

  /** Hand a payload to every matching waiter; true if any took it. */
  resolve(payload: P): boolean {
    let taken = false;
    for (const [id, w] of this.waiters) {
      if (!this.matches(payload, w.matcher)) continue;
      this.clock.clearTimeout(w.timer);
      this.waiters.delete(id);
      w.resolve(payload);
      taken = true;
    }
    return taken;
  }

  cancelAll(reason: string): void {
    for (const w of this.waiters.values()) {
      this.clock.clearTimeout(w.timer);
      w.reject(new WaitCancelledError(reason));
    }
    this.waiters.clear();
  }

  get size(): number {
    return this.waiters.size;
  }
}
