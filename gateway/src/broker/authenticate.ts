/**
 * Device authentication, as pure decisions. A device connects with client id = username = its device id and
 * its secret as password; the broker adapter (broker-hooks.ts) runs the scrypt check and the throttle.
 */

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3). */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;

export type AuthRefusalReason =
  | 'throttled'
  | 'anonymous'
  | 'client_id_too_long'
  | 'client_id_mismatch'
  | 'client_id_taken'
  | 'bad_credentials';

export type AuthDecision =
  | { kind: 'refuse'; reason: AuthRefusalReason; returnCode: number }
  | { kind: 'anonymous' }
  | { kind: 'verify'; deviceId: string; secret: string };

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  /** The remote address is currently blocked by the failed-login throttle. */
  blocked: boolean;
}

export interface AuthPolicy {
  allowAnonymous: boolean;
  maxClientIdLength: number;
}

const MAX_SECRET_BYTES = 256;

export function decideAuthentication(attempt: ConnectAttempt, policy: AuthPolicy): AuthDecision {
  if (attempt.blocked) return { kind: 'refuse', reason: 'throttled', returnCode: CONNACK.notAuthorized };
  if (attempt.clientId.length > policy.maxClientIdLength) {
    return { kind: 'refuse', reason: 'client_id_too_long', returnCode: CONNACK.identifierRejected };
  }
  const hasUser = attempt.username !== undefined && attempt.username !== '';
  if (!hasUser && attempt.password === undefined) {
    return policy.allowAnonymous
      ? { kind: 'anonymous' }
      : { kind: 'refuse', reason: 'anonymous', returnCode: CONNACK.notAuthorized };
  }
  if (!hasUser || !attempt.password || attempt.password.length > MAX_SECRET_BYTES) {
    return { kind: 'refuse', reason: 'bad_credentials', returnCode: CONNACK.badUsernameOrPassword };
  }
  // A device may not speak under another id: the topic ACL is keyed by the authenticated id.
  if (attempt.clientId !== attempt.username) {
    return { kind: 'refuse', reason: 'client_id_mismatch', returnCode: CONNACK.identifierRejected };
  }
  return { kind: 'verify', deviceId: attempt.username!, secret: attempt.password.toString('utf8') };
}

export interface AuthThrottleOptions {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  /** Bound on tracked addresses, so a scan from many addresses cannot grow memory without limit. */
  maxTracked?: number;
}

/**
 * Failed logins per remote address: `maxFailures` within `windowMs` blocks every attempt from that address for
 * `blockMs` (even with good credentials, so a guessing client learns nothing while blocked).
 */
export class AuthThrottle {
  private readonly byAddress = new Map<
    string,
    { windowStart: number; failures: number; blockedUntil: number }
  >();
  /** Credential checks running now, per address: counted against the limit *before* scrypt runs. */
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: AuthThrottleOptions) {}

  /**
   * Reserve one credential check for `address`: false when its recent failures plus the checks still in flight
   * reach max_failures, so N parallel wrong CONNECTs cannot all reach the hash check. Every true must be
   * followed by recordFailure or recordSuccess (which release the reservation).
   */
  reserve(address: string, now: number): boolean {
    const entry = this.byAddress.get(address);
    const failures = entry && now - entry.windowStart < this.options.windowMs ? entry.failures : 0;
    const running = this.inFlight.get(address) ?? 0;
    if (failures + running >= this.options.maxFailures) return false;
    this.inFlight.set(address, running + 1);
    return true;
  }

  /** Release a reservation without counting a failure or a success (the check itself broke). */
  release(address: string): void {
    const running = (this.inFlight.get(address) ?? 0) - 1;
    if (running > 0) this.inFlight.set(address, running);
    else this.inFlight.delete(address);
  }

  isBlocked(address: string, now: number): boolean {
    const entry = this.byAddress.get(address);
    return entry !== undefined && entry.blockedUntil > now;
  }

  /** Record a failure; true if this failure started a block. */
  recordFailure(address: string, now: number, reserved = false): boolean {
    if (reserved) this.release(address);
    let entry = this.byAddress.get(address);
    if (!entry || now - entry.windowStart >= this.options.windowMs) {
      entry = { windowStart: now, failures: 0, blockedUntil: entry?.blockedUntil ?? 0 };
      this.byAddress.delete(address);
      this.byAddress.set(address, entry);
      this.evict(now);
    }
    entry.failures++;
    if (entry.failures >= this.options.maxFailures && entry.blockedUntil <= now) {
      entry.blockedUntil = now + this.options.blockMs;
      return true;
    }
    return false;
  }

  recordSuccess(address: string, reserved = false): void {
    if (reserved) this.release(address);
    this.byAddress.delete(address);
  }

  private evict(now: number): void {
    const max = this.options.maxTracked ?? 10_000;
    if (this.byAddress.size <= max) return;
    for (const [address, e] of this.byAddress) {
      if (this.byAddress.size <= max) break;
      if (e.blockedUntil <= now) this.byAddress.delete(address);
    }
    // everything still tracked is blocked: drop the oldest rather than grow
    while (this.byAddress.size > max) this.byAddress.delete(this.byAddress.keys().next().value!);
  }
}
