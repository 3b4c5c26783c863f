import type { OutboxRow, StorageState, Totals } from './outbox-storage.js';

/**
 * In-memory mirror of what is committed (totals, last seq per stream, counters) plus what is allocated but
 * not yet committed. Only the outbox and its compactor change it.
 */
export class OutboxState {
  /** The store's stream epoch: on the wire with every event, so a seq is never reused across a loss. */
  readonly epoch: number;
  readonly totals: Totals;
  /** Persisted counters (compactions, drops) plus this process's rejections. */
  readonly counters: Map<string, number>;
  /** Persisted values as loaded (`epoch_started_at`, `refusing_since`, ...). */
  readonly meta: Map<string, string>;
  private readonly committedSeqs: Map<string, number>;
  private allocatedSeqs: Map<string, number>;
  private ord: number;
  sentEvents = 0;
  lastSentAt: number | null = null;

  constructor(loaded: StorageState) {
    this.epoch = loaded.epoch;
    this.totals = loaded.totals;
    this.counters = loaded.counters;
    this.meta = loaded.meta;
    this.committedSeqs = loaded.streamSeqs;
    this.allocatedSeqs = new Map(loaded.streamSeqs);
    this.ord = loaded.maxOrd;
  }

  nextSeq(stream: string): number {
    const seq = (this.allocatedSeqs.get(stream) ?? 0) + 1;
    this.allocatedSeqs.set(stream, seq);
    return seq;
  }

  /** Ords need not be gap-free (only seqs do); they only order delivery. */
  nextOrd(): number {
    this.ord += 1;
    return this.ord;
  }

  rollbackSeqs(): void {
    this.allocatedSeqs = new Map(this.committedSeqs);
  }

  streamCount(): number {
    return this.committedSeqs.size;
  }

  /** Last committed seq per stream (the state file keeps a copy, to tell a lost outbox from a first start). */
  streamSeqs(): ReadonlyMap<string, number> {
    return this.committedSeqs;
  }

  committed(
    inserted: readonly Pick<OutboxRow, 'dataClass' | 'bytes'>[],
    deleted: readonly Pick<OutboxRow, 'dataClass' | 'bytes'>[],
    streamSeqs?: ReadonlyMap<string, number>,
  ): void {
    for (const r of inserted) {
      this.totals[r.dataClass].count++;
      this.totals[r.dataClass].bytes += r.bytes;
    }
    for (const r of deleted) {
      this.totals[r.dataClass].count--;
      this.totals[r.dataClass].bytes -= r.bytes;
    }
    if (streamSeqs) for (const [s, seq] of streamSeqs) this.committedSeqs.set(s, seq);
  }

  count(name: string, n: number): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  recordSent(n: number, at: number): void {
    this.sentEvents += n;
    this.lastSentAt = at;
  }

  usedBytes(): number {
    return this.totals.must_deliver.bytes + this.totals.telemetry.bytes;
  }
}
