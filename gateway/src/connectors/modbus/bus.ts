import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import type { ModbusClient } from './client.js';
import { classifyModbusError, type ModbusFailure } from './errors.js';
import type { ModbusTransport } from './transport.js';

export interface BusOptions {
  timeoutMs: number;
  retries: number;
  /** Silence kept between the end of one transaction and the next request. */
  gapMs: number;
}

/** A request that failed on every attempt; `failures` has one reason per attempt. */
export class ModbusRequestError extends Error {
  constructor(
    readonly failure: ModbusFailure,
    readonly failures: readonly ModbusFailure[],
    cause: unknown,
  ) {
    super(`modbus request failed: ${failures.join(', ')}`, { cause });
    this.name = 'ModbusRequestError';
  }
}

interface Job {
  slave: number;
  run: (client: ModbusClient) => Promise<unknown>;
  retries: number;
  onAttemptFailed: ((failure: ModbusFailure, err: unknown) => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (err: ModbusRequestError) => void;
}

/** Transient line faults worth another try; an exception is the slave's considered answer, a dead link is not transient. */
const RETRYABLE = new Set<ModbusFailure>(['timeout', 'crc', 'bad_frame', 'other']);

/** 3.5 character times of silence (Modbus over Serial Line v1.02 §2.5.1.1), fixed at 1.75 ms above 19,200 baud. */
export function interFrameGapMs(baud: number, bitsPerChar: number): number {
  return baud > 19_200 ? 1.75 : (3.5 * bitsPerChar * 1_000) / baud;
}

/**
 * One Modbus link shared by many slaves: strictly one request in flight, FIFO (installer writes go first),
 * the inter-frame gap kept between transactions, every attempt bounded by a timeout. Slaves cannot collide
 * because only this scheduler talks on the link.
 */
export class ModbusBus {
  private readonly queue: Job[] = [];
  private busy = false;
  private gapTimer: TimerHandle | null = null;
  private stopped = false;
  /** Completed transactions (answers and exceptions), for the bench and status. */
  transactions = 0;

  constructor(
    readonly id: string,
    readonly transport: ModbusTransport,
    private readonly opts: BusOptions,
    private readonly clock: Clock,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  request<T>(
    slave: number,
    run: (client: ModbusClient) => Promise<T>,
    options: {
      first?: boolean;
      retries?: number;
      onAttemptFailed?: (failure: ModbusFailure, err: unknown) => void;
    } = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stopped)
        return reject(new ModbusRequestError('not_connected', ['not_connected'], new Error('bus stopped')));
      const job: Job = {
        slave,
        run,
        retries: options.retries ?? this.opts.retries,
        onAttemptFailed: options.onAttemptFailed,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (options.first) this.queue.unshift(job);
      else this.queue.push(job);
      this.pump();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.gapTimer) this.clock.clearTimeout(this.gapTimer);
    this.gapTimer = null;
    for (const job of this.queue.splice(0))
      job.reject(new ModbusRequestError('not_connected', ['not_connected'], new Error('bus stopped')));
  }

  private pump(): void {
    if (this.busy || this.stopped) return;
    const job = this.queue.shift();
    if (!job) return;
    this.busy = true;
    void this.execute(job).finally(() => {
      // the gap follows every transaction, answered or not, so a late answer cannot collide with the next request
      this.gapTimer = this.clock.setTimeout(() => {
        this.gapTimer = null;
        this.busy = false;
        this.pump();
      }, this.opts.gapMs);
    });
  }

  private async execute(job: Job): Promise<void> {
    const failures: ModbusFailure[] = [];
    let lastErr: unknown = null;
    for (let attempt = 0; attempt <= job.retries; attempt++) {
      const client = this.transport.client();
      if (!client) {
        failures.push('not_connected');
        job.onAttemptFailed?.('not_connected', null);
        return job.reject(new ModbusRequestError('not_connected', failures, new Error('link down')));
      }
      try {
        const value = await this.attempt(client, job);
        this.transactions++;
        return job.resolve(value);
      } catch (err) {
        const failure = classifyModbusError(err);
        if (failure.startsWith('exception_')) this.transactions++;
        failures.push(failure);
        lastErr = err;
        job.onAttemptFailed?.(failure, err);
        if (!RETRYABLE.has(failure)) break;
      }
    }
    job.reject(new ModbusRequestError(failures[failures.length - 1]!, failures, lastErr));
  }

  /** modbus-serial times the answer out itself; this guard only catches a callback that never comes. */
  private attempt(client: ModbusClient, job: Job): Promise<unknown> {
    client.setID(job.slave);
    client.setTimeout(this.opts.timeoutMs);
    return new Promise((resolve, reject) => {
      const guard = this.clock.setTimeout(
        () => reject(Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' })),
        this.opts.timeoutMs * 2 + 100,
      );
      job.run(client).then(
        (v) => {
          this.clock.clearTimeout(guard);
          resolve(v);
        },
        (e: unknown) => {
          this.clock.clearTimeout(guard);
          reject(e);
        },
      );
    });
  }
}
