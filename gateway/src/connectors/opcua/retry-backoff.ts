/**
 * What the endpoint connection needs from a backoff: the next delay, and a reset once it recovered.
 * Kept this small so the gateway-wide `Backoff` (sinks/uplink/backoff.ts, which already has this shape) can
 * replace the implementation below without touching the connection.
 */
export interface RetryBackoff {
  next(): number;
  reset(): void;
}

/** Capped exponential backoff: initial, 2 × initial, … up to max. */
export function exponentialBackoff(initialMs: number, maxMs: number): RetryBackoff {
  let delay = initialMs;
  return {
    next() {
      const current = delay;
      delay = Math.min(delay * 2, maxMs);
      return current;
    },
    reset() {
      delay = initialMs;
    },
  };
}
