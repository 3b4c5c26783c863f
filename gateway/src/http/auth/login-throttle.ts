import { FailureLimiter } from '../../core/failure-limiter.js';

/**
 * Login attempts limited per address and per user name; both are reserved before the scrypt check, so
 * parallel guesses count while still in flight (see core/failure-limiter.ts).
 */
export class LoginThrottle {
  private readonly byAddress: FailureLimiter;
  private readonly byUser: FailureLimiter;

  constructor(options: { max_failures: number; window_ms: number }) {
    const o = { maxFailures: options.max_failures, windowMs: options.window_ms };
    this.byAddress = new FailureLimiter(o);
    this.byUser = new FailureLimiter(o);
  }

  /** null when the attempt may go ahead (and is now counted), else milliseconds to wait. */
  reserve(address: string, user: string, now: number): number | null {
    if (!this.byAddress.tryReserve(address, now)) return this.byAddress.retryAfterMs(address, now);
    if (!this.byUser.tryReserve(user, now)) {
      this.byAddress.failed(address, now);
      return this.byUser.retryAfterMs(user, now);
    }
    return null;
  }

  settle(address: string, user: string, ok: boolean, now: number): void {
    if (ok) {
      this.byAddress.succeeded(address);
      this.byUser.succeeded(user);
    } else {
      this.byAddress.failed(address, now);
      this.byUser.failed(user, now);
    }
  }
}
