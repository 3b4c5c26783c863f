import { uuidv7 } from 'uuidv7';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import { StoregateError } from '../../core/errors.js';
import type { StoreEvent } from '../../core/events.js';
import type { Feature } from '../../ports/feature.js';
import type { EventSink } from '../../ports/pipeline.js';
import { Compactor } from './compactor.js';
import { DiskFloor, type Watermarks, watermarkLevel } from './disk-guard.js';
import { encodeItem, validateEvent } from './item-codec.js';
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
  logger?: Logger;
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
 * - every event gets a UUIDv7 id and the next gap-free seq of its stream; delivery order is append order.
 * - a row leaves only through `ack` (after the cloud acknowledged it) or telemetry compaction; must-deliver
 *   rows are never compacted or dropped; an append that would cross the free-disk floor is refused.
 */
export class Outbox implements EventSink, Feature {
  readonly name = 'outbox';
  readonly state: OutboxState;
  private readonly floor: DiskFloor;
  private readonly compactor: Compactor;
  private rows: OutboxRow[] = [];
  private waiters: Waiter[] = [];
  private deletes: number[] = [];
  private readonly unflushedAcks = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private cursor = 0;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private readonly closeHooks: Array<() => void> = [];

  constructor(
    readonly storage: OutboxStorage,
    readonly options: OutboxOptions,
  ) {
    this.state = new OutboxState(storage.load());
    this.floor = new DiskFloor(options.minFreeDiskBytes, options.freeDiskBytes, () => options.clock.now());
    this.compactor = new Compactor(storage, this.state, options, () => this.cursor);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.close();
  }

  append(events: readonly StoreEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoregateError('SG_NOT_READY', 'outbox is closed'));
    if (events.length === 0) return Promise.resolve();
    const encoded: Array<{ event: StoreEvent; dataJson: string; bytes: number }> = [];
    let total = 0;
    for (const event of events) {
      const problem = validateEvent(event);
      const dataJson = problem === null ? safeStringify(event.data) : null;
      if (problem !== null || dataJson === null) {
        return this.refuse('invalid', events.length, 'SG_PAYLOAD_REJECTED', problem ?? 'data is not JSON');
      }
      // id (36) + seq + class + keys: a bounded envelope around the data.
      const bytes = Buffer.byteLength(dataJson) + Buffer.byteLength(event.stream) + event.type.length + 160;
      if (bytes > this.options.maxEventBytes) {
        const why = `event of ${bytes} bytes exceeds outbox.max_event_bytes (${this.options.maxEventBytes})`;
        return this.refuse('oversize', events.length, 'SG_PAYLOAD_REJECTED', why);
      }
      encoded.push({ event, dataJson, bytes });
      total += bytes + ROW_OVERHEAD_BYTES;
    }
    if (!this.floor.admit(total)) {
      const why = `free disk floor reached: free space would fall below outbox.min_free_disk_bytes (${this.options.minFreeDiskBytes})`;
      return this.refuse('disk_floor', events.length, 'SG_IO', why);
    }
    const now = this.options.clock.now();
    for (const { event, dataJson } of encoded) {
      const seq = this.state.nextSeq(event.stream);
      const id = uuidv7();
      const item = encodeItem(id, seq, event, dataJson);
      this.rows.push({
        ord: this.state.nextOrd(),
        id,
        stream: event.stream,
        seq,
        dataClass: event.dataClass,
        level: 0,
        t: event.t,
        item,
        bytes: Buffer.byteLength(item) + ROW_OVERHEAD_BYTES,
        enqueuedAt: now,
      });
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Rows not yet handed out since the last rewind, in order, bounded by count and wire bytes. */
  next(limit: number, maxItemBytes: number): OutboxRow[] {
    const out: OutboxRow[] = [];
    let bytes = 0;
    let after = this.cursor;
    // Read in small chunks: a message holds a few hundred events, reading `limit` rows each time would waste.
    for (;;) {
      const chunk = this.storage.readAfter(after, Math.min(READ_CHUNK_ROWS, limit - out.length));
      for (const row of chunk) {
        after = row.ord;
        if (this.unflushedAcks.has(row.ord)) continue;
        const size = row.bytes - ROW_OVERHEAD_BYTES + 1;
        if (out.length > 0 && bytes + size > maxItemBytes) return this.handOut(out);
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

  oldestEnqueuedAt(): number | null {
    return this.closed ? null : this.storage.oldestEnqueuedAt();
  }

  freeDiskBytes(): number {
    return this.floor.free();
  }

  /** Commit what is pending now (also called by the timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.rows.length === 0 && this.deletes.length === 0) return;
    const rows = this.rows;
    const waiters = this.waiters;
    const deletes = this.deletes;
    this.rows = [];
    this.waiters = [];
    this.deletes = [];
    const streamSeqs = new Map<string, number>();
    for (const r of rows) streamSeqs.set(r.stream, r.seq);
    const change: StorageWrite = { inserts: rows, deleteOrds: deletes, streamSeqs, counters: new Map() };
    let deleted: Array<Pick<OutboxRow, 'dataClass' | 'bytes'>>;
    try {
      deleted = this.storage.write(change);
    } catch (err) {
      // Nothing of this group is stored: give its seqs back so streams stay gap-free, keep the acks.
      this.state.rollbackSeqs();
      this.deletes.push(...deletes);
      this.state.count('rejected:write_failed', rows.length);
      this.options.logger?.error({ err, rows: rows.length }, 'outbox commit failed; appends rejected');
      const error = new StoregateError('SG_IO', `outbox commit failed: ${(err as Error).message}`, {
        cause: err,
      });
      for (const w of waiters) w.reject(error);
      if (this.deletes.length > 0) this.schedule();
      return;
    }
    for (const ord of deletes) this.unflushedAcks.delete(ord);
    this.state.committed(rows, deleted, streamSeqs);
    for (const w of waiters) w.resolve();
    if (rows.length > 0) this.notify();
    this.compactor.maybeCompact();
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
    if (this.rows.length >= FLUSH_NOW_ROWS) {
      this.flush();
      return;
    }
    if (this.timer) return;
    // A node timer, not the injected clock: this batches I/O, it is not domain time.
    this.timer = setTimeout(() => this.flush(), this.options.commitIntervalMs);
  }

  private refuse(reason: string, n: number, code: 'SG_PAYLOAD_REJECTED' | 'SG_IO', why: string) {
    this.state.count(`rejected:${reason}`, n);
    return Promise.reject(new StoregateError(code, `outbox refused ${n} event(s): ${why}`));
  }
}

function safeStringify(data: unknown): string | null {
  try {
    const s = JSON.stringify(data);
    return typeof s === 'string' ? s : null;
  } catch {
    return null;
  }
}
