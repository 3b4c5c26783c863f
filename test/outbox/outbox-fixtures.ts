import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import { Outbox, type OutboxOptions } from '../../gateway/src/sinks/outbox/outbox.js';
import type { OutboxStorage } from '../../gateway/src/sinks/outbox/outbox-storage.js';
import { SqliteOutboxStorage } from '../../gateway/src/sinks/outbox/sqlite-storage.js';
import { systemClock } from '../../shared/src/clock.js';

/** The epoch every storage under test starts with. */
export const EPOCH = 7;

export function options(overrides: Partial<OutboxOptions> = {}): OutboxOptions {
  return {
    budgetBytes: 64 * 1024 * 1024,
    minFreeDiskBytes: 0,
    commitIntervalMs: 2,
    watermarks: { warn: 0.7, compact: 0.85, critical: 0.95 },
    compactTarget: 0.6,
    maxEventBytes: 64 * 1024,
    clock: systemClock(),
    freeDiskBytes: () => Number.MAX_SAFE_INTEGER,
    ...overrides,
  };
}

/** A storage kind under test: `reopen` gives a new storage over the same data (SQLite: same file). */
export interface StorageKind {
  name: string;
  durable: boolean;
  create(): { storage: () => OutboxStorage; cleanup(): void };
}

export const STORAGE_KINDS: StorageKind[] = [
  {
    name: 'sqlite',
    durable: true,
    create() {
      const dir = mkdtempSync(join(tmpdir(), 'sg-outbox-'));
      return {
        storage: () =>
          new SqliteOutboxStorage(join(dir, 'outbox.db'), { epochIfNew: EPOCH, now: Date.now() }),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'memory',
    durable: false,
    create() {
      const storage = new MemoryOutboxStorage(EPOCH);
      // Re-opening memory storage hands back the same object (close is a no-op), like a process that lived on.
      return { storage: () => storage, cleanup: () => {} };
    },
  },
];

export function event(stream: string, n: number, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    type: 'test.event',
    t: 1_700_000_000_000 + n,
    stream,
    dataClass: 'must_deliver',
    data: { n },
    ...overrides,
  };
}

export function openOutbox(storage: OutboxStorage, overrides: Partial<OutboxOptions> = {}): Outbox {
  return new Outbox(storage, options(overrides));
}

export function parseItem(item: string): WireItem {
  return JSON.parse(item);
}

export interface WireItem {
  id: string;
  epoch?: number;
  seq: number;
  stream: string;
  type: string;
  t: number;
  class: string;
  data: Record<string, unknown>;
}

/** What one delivered item stands for in its stream: its own seq, or the range of a rollup or marker. */
export function coverage(item: WireItem): { from: number; to: number; count: number; kind: string } {
  if (item.type === 'outbox.rollup' || item.type === 'outbox.dropped') {
    return {
      from: item.data.seq_from as number,
      to: item.data.seq_to as number,
      count: item.data.count as number,
      kind: item.type === 'outbox.rollup' ? 'rollup' : 'dropped',
    };
  }
  return { from: item.seq, to: item.seq, count: 1, kind: item.class };
}

/**
 * The cloud's gap check for one stream: every seq from 1 to the highest is accounted for by exactly one
 * delivered event, rollup or drop marker (first arrival of each id), and ranges never overlap. Returns the
 * raw events each kind stands for, so a test can compare them with what it appended.
 */
export function accountStream(items: readonly WireItem[], stream: string): Record<string, number> {
  const seen = new Set<string>();
  const owner = new Map<number, string>();
  const counts: Record<string, number> = {};
  let high = 0;
  for (const item of items) {
    if (item.stream !== stream || seen.has(item.id)) continue;
    seen.add(item.id);
    const c = coverage(item);
    counts[c.kind] = (counts[c.kind] ?? 0) + c.count;
    for (let s = c.from; s <= c.to; s++) {
      // Inside a telemetry range a must-deliver event keeps its own seq; telemetry never doubles up.
      const taken = owner.get(s);
      if (taken !== undefined && (c.kind === 'must_deliver') === (taken === 'must_deliver')) {
        throw new Error(`${stream}: seq ${s} covered by ${taken} and ${c.kind}`);
      }
      if (taken === undefined || c.kind === 'must_deliver') owner.set(s, c.kind);
    }
    high = Math.max(high, c.to);
  }
  for (let s = 1; s <= high; s++) if (!owner.has(s)) throw new Error(`${stream}: seq ${s} unaccounted for`);
  return counts;
}

export function wireItems(rows: readonly { item: string }[]): WireItem[] {
  return rows.map((r) => JSON.parse(r.item) as WireItem);
}
