import { uuidv7 } from 'uuidv7';
import { type Clock, systemClock, type TimerHandle } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import { StoregateError } from '../../core/errors.js';
import type { EventEnvelope } from '../../core/events.js';
import type { Feature } from '../../ports/feature.js';
import type { EventSink } from '../../ports/pipeline.js';
import { ClockWatch } from './clock-watch.js';
import { Compactor } from './compactor.js';
import { DiskGuard, type DiskReading, type Watermarks, watermarkLevel } from './disk-guard.js';
import { DiskPressure, resumeMarginBytes } from './disk-pressure.js';
import { clockStepEvent } from './internal-events.js';
import { encodeBatch, newRow, withEpoch } from './item-codec.js';
import { OutboxMaintenance, type ReserveLike } from './outbox-maintenance.js';
import { OutboxState } from './outbox-state.js';
import {
  type OutboxRow,
  type OutboxStorage,
  ROW_OVERHEAD_BYTES,
  type StorageWrite,
  type Totals,
} from './outbox-storage.js';

export interface OutboxOptions {
  budgetBytes: number;
  minFreeDiskBytes: number;
  commitIntervalMs: number;
  watermarks: Watermarks;
  compactTarget: number;
  maxEventBytes: number;
  clock: Clock;
  freeDiskBytes: () => number;
  /** The preallocated disk reserve (SQLite outbox); absent in tests of the memory storage. */
  reserve?: ReserveLike | undefined;
  /** Database page size (default 4096). */
  pageBytes?: number;
  logger?: Logger | undefined;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** Flush at once, without waiting for the commit interval, when this many rows are pending. */
const FLUSH_NOW_ROWS = 4096;
const READ_CHUNK_ROWS = 256;

/**
 * The durable outbox. Guarantees (tested by test/outbox/outbox-contract.test.ts against every storage):
 * - `append` resolves only after its whole batch is committed (fsync'd with the SQLite storage), or rejects
 *   for all of it; appends within `commitIntervalMs` share one commit.
 * - every event gets a UUIDv7 id and the next seq of its stream within the store's epoch; delivery order is
 *   append order; every seq is delivered as an event, or covered by a rollup or an `outbox.dropped` marker.
 * - a row leaves only through `ack` (after the cloud acknowledged it) or telemetry compaction; must-deliver
 *   rows are never compacted or dropped; an append that would cross the free-disk floor is refused.
 */
export class Outbox implements EventSink, Feature {
  readonly name = 'outbox';
  readonly state: OutboxState;
  readonly guard: DiskGuard;
  readonly pressure: DiskPressure;
  private readonly compactor: Compactor;
  private readonly maintenance: OutboxMaintenance;
  private readonly clockWatch: ClockWatch;
  private rows: OutboxRow[] = [];
  private waiters: Waiter[] = [];
  private deletes: number[] = [];
  /** Events the outbox writes about itself; kept until a commit holds them (they have no caller to tell). */
  private internal: EventEnvelope[] = [];
  private meta = new Map<string, string | null>();
  private readonly unflushedAcks = new Set<number>();
  private timer: TimerHandle | null = null;
  /** Commit batching paces I/O, it is not domain time: real time even when `options.clock` is a FakeClock. */
  private readonly io = systemClock({ keepAlive: true });
  private cursor = 0;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private readonly closeHooks: Array<() => void> = [];

  constructor(
    readonly storage: OutboxStorage,
    readonly options: OutboxOptions,
  ) {
    this.state = new OutboxState(storage.load());
    const { clock, logger } = options;
    const reserve = options.reserve;
    this.guard = new DiskGuard({
      minFreeBytes: options.minFreeDiskBytes,
      freeBytes: options.freeDiskBytes,
      reclaimableBytes: () => storage.reclaimableBytes(),
      reserveMissingBytes: () => reserve?.missing() ?? 0,
      monotonic: () => clock.monotonic(),
      pageBytes: options.pageBytes ?? 4096,
    });
    this.pressure = new DiskPressure({
      guard: this.guard,
      floorBytes: options.minFreeDiskBytes,
      resumeMarginBytes: resumeMarginBytes(reserve?.bytes ?? 0),
      clock,
      logger,
      emit: (event) => this.appendInternal(event),
      persist: (since) => {
        this.meta.set('refusing_since', since === null ? null : String(since));
        this.schedule();
      },
      probe: () => {
        this.meta.set('disk_probe_at', String(clock.now()));
        this.schedule();
      },
    });
    this.maintenance = new OutboxMaintenance({
      storage,
      state: this.state,
      guard: this.guard,
      pressure: this.pressure,
      reserve,
      floorBytes: options.minFreeDiskBytes,
      logger,
      flushDeletes: (ords) => this.writeDeletes(ords),
      onWriteError: (err) => this.onWriteError(err),
      resume: () => this.flush(),
    });
    this.compactor = new Compactor(
      storage,
      this.state,
      { ...options, onWriteError: (err) => this.onWriteError(err) },
      () => this.cursor,
    );
    this.clockWatch = new ClockWatch(clock);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.close();
  }

  append(events: readonly EventEnvelope[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoregateError('SG_NOT_READY', 'outbox is closed'));
    if (events.length === 0) return Promise.resolve();
    const batch = encodeBatch(events, this.options.maxEventBytes);
    if (!batch.ok) return this.refuse(batch.reason, events.length, 'SG_PAYLOAD_REJECTED', batch.why);
    if (!this.admit(batch.bytes)) {
      this.pressure.enter('disk_floor');
      this.pressure.count(events);
      this.maintenance.watch();
      const why = `disk full: the free-disk floor outbox.min_free_disk_bytes (${this.options.minFreeDiskBytes}) would be crossed on the data_dir filesystem`;
      return this.refuse('disk_floor', events.length, 'SG_IO', why);
    }
    for (const { event, dataJson } of batch.encoded) this.rows.push(this.toRow(event, dataJson));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  private admit(bytes: number): boolean {
    if (this.pressure.isRefusing() && !this.pressure.check()) return false;
    return this.guard.admit(bytes);
  }

  private toRow(event: EventEnvelope, dataJson: string): OutboxRow {
    const seq = this.state.nextSeq(event.stream);
    return newRow(this.state.nextOrd(), event.id ?? uuidv7(), seq, event, dataJson, this.options.clock.now());
  }

  /** Store an event about the outbox itself: past the floor (it is tiny), retried until a commit holds it. */
  appendInternal(event: EventEnvelope): void {
    if (this.closed) return;
    this.internal.push(event);
    this.schedule();
  }

  /** Rows not yet handed out since the last rewind, in order, bounded by count and wire bytes. */
  next(limit: number, maxItemBytes: number): OutboxRow[] {
    const out: OutboxRow[] = [];
    let bytes = 0;
    let after = this.cursor;
    const epochBytes = `"epoch":${this.state.epoch},`.length;
    // Read in small chunks: a message holds a few hundred events, reading `limit` rows each time would waste.
    for (;;) {
      const chunk = this.storage.readAfter(after, Math.min(READ_CHUNK_ROWS, limit - out.length));
      for (const row of chunk) {
        after = row.ord;
        if (this.unflushedAcks.has(row.ord)) continue;
        const size = row.bytes - ROW_OVERHEAD_BYTES + 1 + epochBytes;
        if (out.length > 0 && bytes + size > maxItemBytes) return this.handOut(out);
        // Rows are fresh objects from the storage read: safe to complete in place.
        row.item = withEpoch(row.item, this.state.epoch);
        out.push(row);
        bytes += size;
        if (out.length >= limit) return this.handOut(out);
      }
      if (chunk.length < READ_CHUNK_ROWS) return this.handOut(out);
    }
  }

  private handOut(rows: OutboxRow[]): OutboxRow[] {
    const last = rows[rows.length - 1];
    if (last) this.cursor = last.ord;
    return rows;
  }

  /** The cloud acknowledged these rows: they leave with the next commit. */
  ack(rows: readonly OutboxRow[]): void {
    if (this.closed) return;
    for (const r of rows) {
      this.deletes.push(r.ord);
      this.unflushedAcks.add(r.ord);
    }
    this.state.recordSent(rows.length, this.options.clock.now());
    this.schedule();
  }

  /** The link dropped: everything handed out and not acknowledged will be handed out again. */
  rewind(): void {
    this.cursor = 0;
  }

  /** Called after each commit that added rows (the uplink wakes up on it). */
  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  totals(): Totals {
    return this.state.totals;
  }

  usedBytes(): number {
    return this.state.usedBytes();
  }

  watermark() {
    return watermarkLevel(this.state.usedBytes(), this.options.budgetBytes, this.options.watermarks);
  }

  /** 'refusing' (disk full: appends refused), 'compacting' (telemetry being degraded) or 'ok'. */
  diskState(): 'ok' | 'compacting' | 'refusing' {
    if (this.pressure.isRefusing()) return 'refusing';
    const w = this.watermark();
    return w === 'compact' || w === 'critical' || this.compactor.active() ? 'compacting' : 'ok';
  }

  /** Keep looking at the disk (the reserve is not whole yet, or space is short). */
  watchDisk(): void {
    this.maintenance.watch();
  }

  disk(): DiskReading {
    return this.guard.read();
  }

  oldestEnqueuedAt(): number | null {
    return this.closed ? null : this.storage.oldestEnqueuedAt();
  }

  freeDiskBytes(): number {
    return this.guard.read().free;
  }

  /** Commit what is pending now (also called by the timer). */
  flush(): void {
    if (this.timer) this.io.clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    const step = this.clockWatch.sample();
    if (step) {
      this.options.logger?.warn({ ...step }, 'wall clock stepped; windows run on monotonic time');
      this.internal.push(clockStepEvent(step));
    }
    if (this.maintenance.retrying()) return;
    if (
      this.rows.length === 0 &&
      this.deletes.length === 0 &&
      this.internal.length === 0 &&
      this.meta.size === 0
    )
      return;
    const internal = this.internal;
    const rows = this.rows.concat(internal.map((e) => this.toRow(e, JSON.stringify(e.data))));
    const waiters = this.waiters;
    const deletes = this.deletes;
    const meta = this.meta;
    this.rows = [];
    this.waiters = [];
    this.deletes = [];
    this.internal = [];
    this.meta = new Map();
    const streamSeqs = new Map<string, number>();
    for (const r of rows) streamSeqs.set(r.stream, r.seq);
    const change: StorageWrite = {
      inserts: rows,
      deleteOrds: deletes,
      streamSeqs,
      counters: new Map(),
      meta,
    };
    let deleted: Array<Pick<OutboxRow, 'dataClass' | 'bytes'>>;
    try {
      deleted = this.storage.write(change);
    } catch (err) {
      // Nothing of this group is stored: give its seqs back so streams stay gap-free, keep the acks.
      this.state.rollbackSeqs();
      this.deletes = deletes.concat(this.deletes);
      this.internal = internal.concat(this.internal);
      for (const [k, v] of meta) if (!this.meta.has(k)) this.meta.set(k, v);
      const appended = rows.length - internal.length;
      if (appended > 0) this.state.count('rejected:write_failed', appended);
      const error = new StoregateError('SG_IO', `outbox commit failed: ${(err as Error).message}`, {
        cause: err,
      });
      for (const w of waiters) w.reject(error);
      this.onWriteError(err);
      return;
    }
    for (const ord of deletes) this.unflushedAcks.delete(ord);
    this.state.committed(rows, deleted, streamSeqs);
    this.guard.invalidate();
    this.maintenance.succeeded();
    if (rows.length > 0 || meta.size > 0) this.pressure.wrote();
    for (const w of waiters) w.resolve();
    if (rows.length > 0) this.notify();
    if (deletes.length > 0) this.maintenance.afterDeletes();
    this.compactor.maybeCompact();
  }

  /** Deletes alone, in their own transaction: they free space and need the least of it. */
  private writeDeletes(ords: readonly number[]): void {
    const deleted = this.storage.write({
      inserts: [],
      deleteOrds: ords,
      streamSeqs: new Map(),
      counters: new Map(),
    });
    for (const ord of ords) this.unflushedAcks.delete(ord);
    this.state.committed([], deleted);
    this.guard.invalidate();
  }

  /** Pending deletes, for the maintenance retry (which takes them over). */
  private takeDeletes(): number[] {
    const d = this.deletes;
    this.deletes = [];
    return d;
  }

  private onWriteError(err: unknown): void {
    this.maintenance.writeFailed(err, () => this.takeDeletes());
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        // A failing reader must not fail the commit that already succeeded (its appends are resolved).
        this.options.logger?.error({ err }, 'outbox commit listener failed');
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.deletes = this.maintenance.stop().concat(this.deletes);
    this.flush();
    this.compactor.stop();
    this.closed = true;
    this.listeners.clear();
    for (const hook of this.closeHooks) hook();
    this.storage.close();
  }

  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  private schedule(): void {
    if (this.maintenance.retrying()) return;
    if (this.rows.length >= FLUSH_NOW_ROWS) {
      this.flush();
      return;
    }
    if (this.timer) return;
    this.timer = this.io.setTimeout(() => this.flush(), this.options.commitIntervalMs);
  }

  private refuse(reason: string, n: number, code: 'SG_PAYLOAD_REJECTED' | 'SG_IO', why: string) {
    this.state.count(`rejected:${reason}`, n);
    return Promise.reject(new StoregateError(code, `outbox refused ${n} event(s): ${why}`));
  }
}
