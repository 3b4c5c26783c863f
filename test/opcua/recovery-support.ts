import { expect } from 'vitest';
import type { buildHarness } from './connector-harness.js';
import { waitFor } from './connector-harness.js';

/** The request-rate cap the recovery tests run with: a runaway loop is cut after this many requests in 1 s. */
export const MAX_REQUESTS_PER_S = 50;
export const ENDPOINT = 'cold-room';
export const TEMP = 'fridge-3.temp';

/** Fast bounds so each scenario finishes in seconds: silent after 3 s (3 × 10 × 100 ms), attempts cut early. */
export function recoveryConfig(url: string, attemptTimeoutMs: number) {
  return {
    reconnect: { initial_delay_ms: 200, max_delay_ms: 1_000, attempt_timeout_ms: attemptTimeoutMs },
    request_timeout_ms: 2_000,
    keepalive_interval_ms: 1_000,
    heartbeat_interval_ms: 200,
    stop_timeout_ms: 2_000,
    max_requests_per_s: MAX_REQUESTS_PER_S,
    endpoints: [
      {
        id: ENDPOINT,
        url,
        publishing_interval_ms: 100,
        points: [{ node_id: 'ns=1;s=Fridge3.Temp', name: TEMP, sampling_interval_ms: 50 }],
      },
    ],
  };
}

type Harness = ReturnType<typeof buildHarness>;

export function state(h: Harness): string | undefined {
  return h.feature.status()[ENDPOINT]?.state;
}

export function rebuilds(h: Harness, reason: string): Promise<number> {
  return h.metric('storegate_opcua_client_rebuilds_total', { endpoint: ENDPOINT, reason });
}

export function requestsSent(h: Harness): Promise<number> {
  return h.metric('storegate_opcua_requests_total', { endpoint: ENDPOINT });
}

/**
 * The endpoint is back: connected, a new value arrives once, heartbeats flow again, /healthz is clear and
 * the connected gauge is 1. The generous deadline is the "bounded time"; the test asserts behaviour, and
 * fails only if recovery does not happen at all within it.
 */
export async function expectRecovered(
  h: Harness,
  setTemp: (v: number) => void,
  value: number,
): Promise<void> {
  await waitFor('connected again', () => state(h) === 'connected', 30_000);
  setTemp(value);
  await waitFor(`reading ${value} after recovery`, () => h.recorder.of(TEMP).some((r) => r.value === value));
  const beats = h.recorder.heartbeats.length;
  await waitFor('heartbeats again', () => h.recorder.heartbeats.length >= beats + 2);
  expect(h.health()).toBeNull();
  expect(await h.metric('storegate_opcua_connected', { endpoint: ENDPOINT })).toBe(1);
  expect(h.recorder.of(TEMP).filter((r) => r.value === value)).toHaveLength(1);
}
