import type { InfluxDB, IPoint } from 'influx';
import { Backoff } from '../../../../shared/src/backoff.js';
import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { PointDiskBuffer, StoredPoint } from './disk-buffer.js';

export interface PointWriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  precision: 's' | 'ms';
  /** Full batches held in memory while one is in flight; beyond that they go to the disk buffer. */
  maxQueuedBatches?: number;
}

export interface PointWriterStats {
  written: number;
  spilled: number;
  dropped: number;
  failures: number;
}

/**
 * Batches points for InfluxDB by size and time, one POST in flight at a time (the `influx` client does no
 * batching, defaults to ns precision and retries only twice). Memory is bounded to
 * (maxQueuedBatches + 2) × batchSize points; beyond that, and whenever InfluxDB fails, batches go to the
 * bounded disk buffer and are replayed in order when it answers again. Order: disk backlog first, then memory.
 */
export class InfluxPointWriter {
  private current: StoredPoint[] = [];
  private readonly queue: StoredPoint[][] = [];
  /** A batch from memory whose send failed: the oldest data, sent first when InfluxDB returns. */
  private retry: StoredPoint[] | null = null;
  private pumping: Promise<void> | null = null;
  private down = false;
  private timer: TimerHandle | null = null;
  /** Retries a failed send: 1 s, doubling up to 30 s, back to 1 s after a success. */
  private readonly backoff: Backoff;
  private waiters: (() => void)[] = [];
  readonly stats: PointWriterStats = { written: 0, spilled: 0, dropped: 0, failures: 0 };

  constructor(
    private readonly influx: InfluxDB,
    private readonly buffer: PointDiskBuffer,
    private readonly opts: PointWriterOptions,
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      onWritten?(points: readonly StoredPoint[]): void;
      /** Run before a send until it succeeds once (creating the database and retention policies). */
      prepare?(): Promise<void>;
    },
  ) {
    this.backoff = new Backoff(deps.clock, { initialMs: 1_000, maxMs: 30_000 });
  }

  start(): void {
    const tick = () => {
      this.timer = this.deps.clock.setTimeout(() => {
        this.seal();
        tick();
      }, this.opts.flushIntervalMs);
    };
    tick();
    if (this.buffer.size() > 0) this.pump();
  }

  /** Accept a point. Returns false when memory is full (the point is still kept): await `whenWritable()`. */
  write(point: StoredPoint): boolean {
    this.current.push(point);
    if (this.current.length >= this.opts.batchSize) this.seal();
    return this.queue.length < this.maxQueued();
  }

  whenWritable(): Promise<void> {
    if (this.queue.length < this.maxQueued()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once every point written before the call is in InfluxDB (or, if it is down, on disk). */
  async flush(): Promise<void> {
    this.seal();
    while (this.pumping) await this.pumping;
  }

  backlog(): number {
    const memory =
      this.queue.reduce((n, b) => n + b.length, 0) + this.current.length + (this.retry?.length ?? 0);
    return this.buffer.size() + memory;
  }

  isDown(): boolean {
    return this.down;
  }

  async stop(): Promise<void> {
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.backoff.cancel();
    this.timer = null;
    this.seal();
    if (!this.down) await this.flush();
    // Whatever could not be sent survives the restart on disk (InfluxDB keys points by time, so the order
    // in which they are replayed later does not change any answer).
    if (this.retry) this.spill(this.retry);
    this.retry = null;
    for (const batch of this.queue.splice(0)) this.spill(batch);
  }

  private maxQueued(): number {
    return this.opts.maxQueuedBatches ?? 4;
  }

  private seal(): void {
    if (this.current.length === 0) return;
    const batch = this.current;
    this.current = [];
    if (this.down) this.spill(batch);
    else if (this.queue.length >= this.maxQueued()) {
      // Keep "disk is older than memory": the queued batches go to disk first, then this one.
      for (const b of this.queue.splice(0)) this.spill(b);
      this.spill(batch);
    } else this.queue.push(batch);
    this.pump();
  }

  private spill(batch: StoredPoint[]): void {
    this.stats.spilled += batch.length;
    this.stats.dropped += this.buffer.append(batch);
  }

  private pump(): void {
    if (this.pumping || this.down) return;
    this.pumping = this.drain().finally(() => {
      this.pumping = null;
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.retry) {
        if (!(await this.send(this.retry))) return;
        this.retry = null;
        continue;
      }
      if (this.buffer.size() > 0) {
        const { points, lastId } = this.buffer.peek(this.opts.batchSize);
        if (!(await this.send(points))) return;
        this.buffer.remove(lastId);
        continue;
      }
      const batch = this.queue.shift();
      this.releaseWaiters();
      if (!batch) return;
      if (!(await this.send(batch))) {
        this.retry = batch;
        for (const b of this.queue.splice(0)) this.spill(b);
        this.releaseWaiters();
        return;
      }
    }
  }

  private async send(points: StoredPoint[]): Promise<boolean> {
    try {
      await this.deps.prepare?.();
      // One write per retention policy. A failure retries the whole batch: rewriting a point InfluxDB already
      // has (same series and time) overwrites it, never doubles it.
      for (const [rp, group] of byRetentionPolicy(points)) {
        await this.influx.writePoints(group.map(toIPoint), {
          precision: this.opts.precision,
          ...(rp ? { retentionPolicy: rp } : {}),
        });
      }
      this.stats.written += points.length;
      this.deps.onWritten?.(points);
      if (this.down)
        this.deps.logger.info({ backlog: this.buffer.size() }, 'InfluxDB reachable again; replaying');
      this.down = false;
      this.backoff.reset();
      return true;
    } catch (err) {
      this.stats.failures++;
      if (!this.down) this.deps.logger.warn({ err }, 'InfluxDB write failed; buffering points on disk');
      this.down = true;
      this.backoff.schedule(() => {
        this.down = false;
        this.pump();
      });
      return false;
    }
  }

  private releaseWaiters(): void {
    if (this.queue.length >= this.maxQueued()) return;
    for (const w of this.waiters.splice(0)) w();
  }
}

function byRetentionPolicy(points: StoredPoint[]): Map<string | undefined, StoredPoint[]> {
  const groups = new Map<string | undefined, StoredPoint[]>();
  for (const p of points) {
    const list = groups.get(p.rp);
    if (list) list.push(p);
    else groups.set(p.rp, [p]);
  }
  return groups;
}

export function toIPoint(p: StoredPoint): IPoint {
  return { measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: new Date(p.t) };
}
