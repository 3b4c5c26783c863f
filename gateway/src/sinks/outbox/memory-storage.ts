import {
  emptyTotals,
  MARKER_LEVEL,
  type OutboxRow,
  type OutboxStorage,
  type RollupLevel,
  type StorageState,
  type StorageWrite,
} from './outbox-storage.js';

/**
 * In-memory storage with the same contract as SQLite except durability: for unit tests and replay.
 * Rows are kept sorted by ord (inserts are appended; rollups re-use an earlier ord, so they are placed).
 */
export class MemoryOutboxStorage implements OutboxStorage {
  private rows: OutboxRow[] = [];
  private readonly streamSeqs = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private readonly meta = new Map<string, string>();
  /** Test control: make the next write fail, to exercise all-or-nothing. */
  failNextWrite: Error | null = null;
  /** Test control: make every write fail with this error until cleared (a full disk). */
  failWrites: Error | null = null;
  /** Test control: make only writes that insert rows fail (deletes still fit, as after a reserve release). */
  failInserts: Error | null = null;
  /** Writes attempted, including failed ones (tests: a failing write must not be retried in a tight loop). */
  writeAttempts = 0;
  /** Test control: what `reclaimableBytes` reports. */
  reclaimable = 0;

  constructor(readonly epoch = 1) {}

  load(): StorageState {
    const totals = emptyTotals();
    for (const r of this.rows) {
      totals[r.dataClass].count++;
      totals[r.dataClass].bytes += r.bytes;
    }
    return {
      epoch: this.epoch,
      totals,
      maxOrd: this.rows.reduce((m, r) => Math.max(m, r.ord), 0),
      streamSeqs: new Map(this.streamSeqs),
      counters: new Map(this.counters),
      meta: new Map(this.meta),
    };
  }

  write(change: StorageWrite): Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> {
    this.writeAttempts++;
    const failure =
      this.failNextWrite ?? this.failWrites ?? (change.inserts.length > 0 ? this.failInserts : null);
    if (failure) {
      this.failNextWrite = null;
      throw failure;
    }
    const doomed = new Set(change.deleteOrds);
    const deleted: Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> = [];
    const kept: OutboxRow[] = [];
    for (const r of this.rows) {
      if (doomed.has(r.ord)) deleted.push({ dataClass: r.dataClass, bytes: r.bytes });
      else kept.push(r);
    }
    const from = kept.length;
    for (const r of change.inserts) kept.push({ ...r });
    // Appends arrive in ord order; rollups and markers re-use earlier ords and must be placed.
    for (let i = Math.max(1, from); i < kept.length; i++) {
      if (kept[i]!.ord < kept[i - 1]!.ord) {
        kept.sort((a, b) => a.ord - b.ord);
        break;
      }
    }
    this.rows = kept;
    for (const [s, seq] of change.streamSeqs) this.streamSeqs.set(s, seq);
    for (const [name, n] of change.counters) this.counters.set(name, (this.counters.get(name) ?? 0) + n);
    for (const [key, value] of change.meta ?? []) {
      if (value === null) this.meta.delete(key);
      else this.meta.set(key, value);
    }
    return deleted;
  }

  readAfter(afterOrd: number, limit: number): OutboxRow[] {
    return this.select(afterOrd, limit, () => true);
  }

  oldestTelemetry(level: RollupLevel, afterOrd: number, limit: number): OutboxRow[] {
    return this.select(afterOrd, limit, (r) => r.dataClass === 'telemetry' && r.level === level);
  }

  compactableAfter(afterOrd: number, limit: number): OutboxRow[] {
    return this.select(afterOrd, limit, (r) => r.dataClass === 'telemetry' || r.level === MARKER_LEVEL);
  }

  private select(afterOrd: number, limit: number, keep: (r: OutboxRow) => boolean): OutboxRow[] {
    const out: OutboxRow[] = [];
    for (const r of this.rows) {
      if (r.ord <= afterOrd || !keep(r)) continue;
      out.push({ ...r });
      if (out.length >= limit) break;
    }
    return out;
  }

  oldestEnqueuedAt(): number | null {
    return this.rows[0]?.enqueuedAt ?? null;
  }

  bytesEnqueuedSince(t: number): number {
    let bytes = 0;
    for (const r of this.rows) if (r.enqueuedAt >= t) bytes += r.bytes;
    return bytes;
  }

  reclaimableBytes(): number {
    return this.reclaimable;
  }

  shrink(): number {
    const freed = this.reclaimable;
    this.reclaimable = 0;
    return freed;
  }

  close(): void {}
}
