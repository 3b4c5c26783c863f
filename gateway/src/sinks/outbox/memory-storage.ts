import {
  emptyTotals,
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
  /** Test control: make the next write fail, to exercise all-or-nothing. */
  failNextWrite: Error | null = null;

  load(): StorageState {
    const totals = emptyTotals();
    for (const r of this.rows) {
      totals[r.dataClass].count++;
      totals[r.dataClass].bytes += r.bytes;
    }
    return {
      totals,
      maxOrd: this.rows.reduce((m, r) => Math.max(m, r.ord), 0),
      streamSeqs: new Map(this.streamSeqs),
      counters: new Map(this.counters),
    };
  }

  write(change: StorageWrite): Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> {
    if (this.failNextWrite) {
      const err = this.failNextWrite;
      this.failNextWrite = null;
      throw err;
    }
    const doomed = new Set(change.deleteOrds);
    const deleted: Array<Pick<OutboxRow, 'dataClass' | 'bytes'>> = [];
    const kept: OutboxRow[] = [];
    for (const r of this.rows) {
      if (doomed.has(r.ord)) deleted.push({ dataClass: r.dataClass, bytes: r.bytes });
      else kept.push(r);
    }
    for (const r of change.inserts) kept.push({ ...r });
    const last = change.inserts.length > 0 ? change.inserts[0]!.ord : Number.POSITIVE_INFINITY;
    const prev = kept.length > change.inserts.length ? kept[kept.length - change.inserts.length - 1]!.ord : 0;
    if (last < prev) kept.sort((a, b) => a.ord - b.ord);
    this.rows = kept;
    for (const [s, seq] of change.streamSeqs) this.streamSeqs.set(s, seq);
    for (const [name, n] of change.counters) this.counters.set(name, (this.counters.get(name) ?? 0) + n);
    return deleted;
  }

  readAfter(afterOrd: number, limit: number): OutboxRow[] {
    const out: OutboxRow[] = [];
    for (const r of this.rows) {
      if (r.ord <= afterOrd) continue;
      out.push({ ...r });
      if (out.length >= limit) break;
    }
    return out;
  }

  oldestTelemetry(level: RollupLevel, afterOrd: number, limit: number): OutboxRow[] {
    const out: OutboxRow[] = [];
    for (const r of this.rows) {
      if (r.ord <= afterOrd || r.dataClass !== 'telemetry' || r.level !== level) continue;
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

  close(): void {}
}
