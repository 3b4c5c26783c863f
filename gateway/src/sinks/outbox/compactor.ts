import { uuidv7 } from 'uuidv7';
import type { Clock } from '../../../../shared/src/clock.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { StoredEvent } from '../../core/events.js';
import { WATERMARK_RANK, type WatermarkLevel, type Watermarks, watermarkLevel } from './disk-guard.js';
import { encodeItem } from './item-codec.js';
import { dropRows } from './markers.js';
import type { OutboxState } from './outbox-state.js';
import {
  MARKER_LEVEL,
  type OutboxRow,
  type OutboxStorage,
  ROW_OVERHEAD_BYTES,
  type RowLevel,
} from './outbox-storage.js';
import { COMPACTION_REASON, compactRows } from './rollup.js';

const CHUNK_ROWS = 2_000;
/** Chunks per turn before yielding to the event loop, so appends are not starved during a big compaction. */
const CHUNKS_PER_TURN = 10;
export const DROP_REASON = 'budget_exhausted';

interface CompactorOptions {
  budgetBytes: number;
  watermarks: Watermarks;
  compactTarget: number;
  clock: Clock;
  logger?: Logger | undefined;
  /** A write failed (the disk may be full): the outbox decides what to release and when to retry. */
  onWriteError?: (err: unknown) => void;
}

/**
 * Keeps the outbox under its budget by degrading telemetry, oldest first: raw → 1 min rollups → 15 min →
 * 1 h. Only above the budget itself are 1 h rollups dropped, each run replaced by an `outbox.dropped` marker
 * with its seq range and counts per type. Must-deliver rows are never touched, nor rows handed to the
 * uplink and not yet acknowledged (ord ≤ cursor). Every change is counted by reason, in the same transaction.
 */
export class Compactor {
  private level: WatermarkLevel = 'ok';
  private continuation: NodeJS.Immediate | null = null;
  private readonly throttle = createLogThrottle({ burst: 1 });

  constructor(
    private readonly storage: OutboxStorage,
    private readonly state: OutboxState,
    private readonly options: CompactorOptions,
    private readonly cursor: () => number,
  ) {}

  /**
   * Where compaction stops. The configured share of the budget, unless must-deliver data alone is near it:
   * then telemetry keeps its proportional share of what is left below the compaction mark, instead of being
   * compacted away while total use is still under the budget.
   */
  targetBytes(): number {
    const { budgetBytes, watermarks, compactTarget } = this.options;
    const trigger = budgetBytes * watermarks.compact;
    const md = this.state.totals.must_deliver.bytes;
    const share = compactTarget / watermarks.compact;
    return Math.max(budgetBytes * compactTarget, md + Math.max(0, trigger - md) * share);
  }

  maybeCompact(): void {
    this.noteWatermark();
    if (this.continuation) return;
    const { budgetBytes, watermarks } = this.options;
    if (this.state.usedBytes() < budgetBytes * watermarks.compact) return;
    this.safeTurn(this.state.usedBytes() > budgetBytes);
  }

  /** Compaction or drops in progress (`storegate doctor`: "compacting telemetry"). */
  active(): boolean {
    return this.continuation !== null;
  }

  private safeTurn(dropping: boolean): void {
    try {
      this.runTurn(dropping);
    } catch (err) {
      // A failed compaction changed nothing (one transaction); appends go on and the floor still holds.
      this.continuation = null;
      this.state.count('compaction_failed', 1);
      if (this.throttle.allow('failed').log) this.options.logger?.error({ err }, 'outbox compaction failed');
      this.options.onWriteError?.(err);
    }
  }

  stop(): void {
    if (this.continuation) clearImmediate(this.continuation);
    this.continuation = null;
  }

  private runTurn(dropping: boolean): void {
    this.continuation = null;
    const target = this.targetBytes();
    for (let i = 0; i < CHUNKS_PER_TURN; i++) {
      if (this.state.usedBytes() <= target) break;
      if (!this.compactOnce(dropping)) {
        this.noteWatermark();
        return;
      }
    }
    this.noteWatermark();
    if (this.state.usedBytes() > target) {
      // Dropping started above the budget goes on down to the target (hysteresis), not one row per commit.
      this.continuation = setImmediate(() => this.safeTurn(dropping));
    }
  }

  /** One atomic step; false when nothing compactable (or droppable, if allowed) is left. */
  private compactOnce(dropping: boolean): boolean {
    const after = this.cursor();
    for (const level of [0, 1, 2] as const) {
      const first = this.storage.oldestTelemetry(level, after, 1)[0];
      if (!first) continue;
      const chunk = this.storage.compactableAfter(first.ord - 1, CHUNK_ROWS);
      const drafts = compactRows(chunk, level);
      const replaced = drafts.flatMap((d) => d.replaces);
      const inserts = drafts.map((d) => this.row(d.event, d.level, d.replaces));
      this.apply(replaced, inserts, `compacted:${COMPACTION_REASON[level]}`, replaced.length);
      return true;
    }
    if (!dropping) return false;
    const first = this.storage.oldestTelemetry(3, after, 1)[0];
    if (!first) return false;
    // Last resort: above the budget with nothing left to summarise. Count the raw events lost.
    const drafts = dropRows(this.storage.compactableAfter(first.ord - 1, CHUNK_ROWS), DROP_REASON);
    const replaced = drafts.flatMap((d) => d.replaces);
    const dropped = drafts.reduce((n, d) => n + d.dropped, 0);
    const markers = drafts.map((d) => this.row(d.event, MARKER_LEVEL, d.replaces));
    this.apply(replaced, markers, `dropped:${DROP_REASON}`, dropped);
    if (this.throttle.allow('dropped').log) {
      this.options.logger?.warn(
        { rollups: replaced.length, events: dropped, markers: markers.length },
        'outbox dropped 1 h telemetry rollups (each run is described by an outbox.dropped marker)',
      );
    }
    return true;
  }

  private row(event: Omit<StoredEvent, 'id'>, level: RowLevel, replaces: readonly OutboxRow[]): OutboxRow {
    const id = uuidv7();
    const item = encodeItem(id, event.seq, event, JSON.stringify(event.data));
    const now = this.options.clock.now();
    return {
      ord: replaces[0]!.ord,
      id,
      stream: event.stream,
      seq: event.seq,
      dataClass: event.dataClass,
      level,
      t: event.t,
      item,
      bytes: Buffer.byteLength(item) + ROW_OVERHEAD_BYTES,
      enqueuedAt: replaces.reduce((m, r) => Math.min(m, r.enqueuedAt), now),
    };
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
