import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';

/**
 * Why a cloud connection attempt ended before CONNACK:
 * - `refused`: the broker answered CONNACK with a refusal code (credentials, client id, protocol version);
 * - `closed_without_connack`: the TCP (or TLS/WebSocket) connection was made and the broker closed it without
 *   any CONNACK — what RabbitMQ's MQTT plugin before 3.13 does with an MQTT 5 CONNECT, and what brokers do on
 *   an ACL or plugin failure;
 * - `timeout`: no CONNACK within `cloud.connect_timeout_ms`;
 * - `unreachable`: no connection at all (refused port, DNS, network, TLS handshake).
 */
export type ConnectFailure = 'refused' | 'closed_without_connack' | 'timeout' | 'unreachable';

/** Failures that will not fix themselves by waiting: a broker that actively turns this gateway away. */
const TURNED_AWAY: ReadonlySet<ConnectFailure> = new Set(['refused', 'closed_without_connack']);
/** Consecutive turned-away attempts before /healthz reports the uplink degraded. */
export const HEALTH_AFTER_ATTEMPTS = 3;

export interface FailedAttempt {
  reason: ConnectFailure;
  detail: string;
  at: number;
}

/** One connection attempt, from mqtt.connect() to its CONNACK or its end. */
export interface Attempt {
  error(err: Error & { code?: unknown }): void;
  connected(): void;
  /** The connection closed; returns the failure when it closed before a CONNACK, else null. */
  closed(): FailedAttempt | null;
}

export class ConnectAttempts {
  consecutive = 0;
  last: FailedAttempt | null = null;
  private readonly failures: Counter<'reason'> | null;

  constructor(
    private readonly clock: Clock,
    registry: Registry | undefined,
  ) {
    this.failures = registry
      ? new Counter({
          name: 'storegate_uplink_connect_failures_total',
          help: 'Cloud connection attempts that ended before a CONNACK, by reason (refused, closed_without_connack, timeout, unreachable)',
          labelNames: ['reason'],
          registers: [registry],
        })
      : null;
  }

  begin(): Attempt {
    let connacked = false;
    let ended = false;
    let error: (Error & { code?: unknown }) | null = null;
    return {
      error: (err) => {
        error ??= err;
      },
      connected: () => {
        connacked = true;
        this.consecutive = 0;
        this.last = null;
      },
      closed: () => {
        if (connacked || ended) return null;
        ended = true;
        const failure = { ...classify(error), at: this.clock.now() };
        this.consecutive++;
        this.last = failure;
        this.failures?.labels(failure.reason).inc();
        return failure;
      },
    };
  }

  /** For /healthz: null unless the broker has turned the gateway away several times in a row. */
  health(): string | null {
    const last = this.last;
    if (!last || !TURNED_AWAY.has(last.reason) || this.consecutive < HEALTH_AFTER_ATTEMPTS) return null;
    return `cloud broker turned the connection away ${this.consecutive} times in a row: ${last.reason} (${last.detail})`;
  }
}

function classify(err: (Error & { code?: unknown }) | null): { reason: ConnectFailure; detail: string } {
  if (!err)
    return { reason: 'closed_without_connack', detail: 'the broker closed the connection without a CONNACK' };
  if (typeof err.code === 'number')
    return { reason: 'refused', detail: `CONNACK ${err.code}: ${err.message}` };
  if (/connack timeout|timed? ?out/i.test(err.message)) return { reason: 'timeout', detail: err.message };
  return {
    reason: 'unreachable',
    detail: typeof err.code === 'string' ? `${err.code}: ${err.message}` : err.message,
  };
}
