import { uuidv7 } from 'uuidv7';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import { WATERMARK_RANK, type WatermarkLevel, type Watermarks, watermarkLevel } from './disk-guard.js';
import { encodeItem } from './item-codec.js';
import type { OutboxState } from './outbox-state.js';
import { type OutboxRow, type OutboxStorage, ROW_OVERHEAD_BYTES } from './outbox-storage.js';
import { COMPACTION_REASON, compactRows } from './rollup.js';

const CHUNK_ROWS = 2_000;
/** Chunks per turn before yielding to the event loop, so appends are not starved during a big compaction. */
const CHUNKS_PER_TURN = 10;

interface CompactorOptions {
  budgetBytes: number;
  watermarks: Watermarks;
  compactTarget: number;
  clock: Clock;
  logger?: Logger;
}

/**
 * Keeps the outbox under its budget by degrading telemetry, oldest first: raw → 1 min rollups → 15 min →
 * 1 h, and only then dropping 1 h rollups. Must-deliver rows are never touched, nor rows handed to the
 * uplink and not yet acknowledged (ord ≤ cursor). Every change is counted by reason, in the same transaction.
 */
export class Compactor {
  private level: WatermarkLevel = 'ok';
  private continuation: NodeJS.Immediate | null = null;

  constructor(
    private readonly storage: OutboxStorage,
    private readonly state: OutboxState,
    private readonly options: CompactorOptions,
    private readonly cursor: () => number,
  ) {}

  maybeCompact(): void {
    this.noteWatermark();
    if (this.continuation) return;
    const { budgetBytes, watermarks, compactTarget } = this.options;
    if (this.state.usedBytes() < budgetBytes * watermarks.compact) return;
    this.safeTurn(budgetBytes * compactTarget);
  }

  private safeTurn(targetBytes: number): void {
    try {
      this.runTurn(targetBytes);
    } catch (err) {
      // A failed compaction changed nothing (one transaction); appends go on and the floor still holds.
      this.state.count('compaction_failed', 1);
      this.options.logger?.error({ err }, 'outbox compaction failed');
    }
  }

  stop(): void {
    if (this.continuation) clearImmediate(this.continuation);
    this.continuation = null;
  }

  private runTurn(targetBytes: number): void {
    this.continuation = null;
    for (let i = 0; i < CHUNKS_PER_TURN; i++) {
      if (this.state.usedBytes() <= targetBytes) break;
      if (!this.compactOnce()) {
        this.noteWatermark();
        return;
      }
    }
    this.noteWatermark();
    if (this.state.usedBytes() > targetBytes) {
      this.continuation = setImmediate(() => this.safeTurn(targetBytes));
    }
  }

  /** One atomic step; false when nothing compactable is left. */
  private compactOnce(): boolean {
    for (const level of [0, 1, 2] as const) {
      const rows = this.storage.oldestTelemetry(level, this.cursor(), CHUNK_ROWS);
      if (rows.length === 0) continue;
      const inserts: OutboxRow[] = [];
      const now = this.options.clock.now();
      for (const draft of compactRows(rows, level)) {
        const id = uuidv7();
        const dataJson = JSON.stringify(draft.event.data);
        const item = encodeItem(id, draft.event.seq, { ...draft.event }, dataJson);
        inserts.push({
          ord: Math.min(...draft.replaces.map((r) => r.ord)),
          id,
          stream: draft.event.stream,
          seq: draft.event.seq,
          dataClass: 'telemetry',
          level: draft.level,
          t: draft.event.t,
          item,
          bytes: Buffer.byteLength(item) + ROW_OVERHEAD_BYTES,
          enqueuedAt: Math.min(now, ...draft.replaces.map((r) => r.enqueuedAt)),
        });
      }
      const reason = `compacted:${COMPACTION_REASON[level]}`;
      this.apply(rows, inserts, reason, rows.length);
      return true;
    }
    const hourly = this.storage.oldestTelemetry(3, this.cursor(), CHUNK_ROWS);
    if (hourly.length === 0) return false;
    // Last resort: the budget is full of must-deliver data and 1 h rollups. Count the raw events lost.
    const represented = hourly.reduce((n, r) => n + ((JSON.parse(r.item).data?.count as number) ?? 1), 0);
    this.apply(hourly, [], 'dropped:budget_exhausted', represented);
    this.options.logger?.warn(
      { rollups: hourly.length, events: represented },
      'outbox dropped 1 h telemetry rollups',
    );
    return true;
  }

  private apply(replaced: OutboxRow[], inserts: OutboxRow[], reason: string, n: number): void {
    const counters = new Map([[reason, n]]);
    const deleted = this.storage.write({
      inserts,
      deleteOrds: replaced.map((r) => r.ord),
      streamSeqs: new Map(),
      counters,
    });
    this.state.committed(inserts, deleted);
    this.state.count(reason, n);
  }

  private noteWatermark(): void {
    const { budgetBytes, watermarks, logger } = this.options;
    const level = watermarkLevel(this.state.usedBytes(), budgetBytes, watermarks);
    if (level === this.level) return;
    const rising = WATERMARK_RANK[level] > WATERMARK_RANK[this.level];
    const fields = { from: this.level, to: level, usedBytes: this.state.usedBytes(), budgetBytes };
    if (rising && level !== 'warn') logger?.warn(fields, 'outbox watermark crossed');
    else logger?.info(fields, 'outbox watermark changed');
    this.level = level;
  }
}
