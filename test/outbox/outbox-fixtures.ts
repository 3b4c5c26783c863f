import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import { Outbox, type OutboxOptions } from '../../gateway/src/sinks/outbox/outbox.js';
import type { OutboxStorage } from '../../gateway/src/sinks/outbox/outbox-storage.js';
import { SqliteOutboxStorage } from '../../gateway/src/sinks/outbox/sqlite-storage.js';
import { systemClock } from '../../shared/src/clock.js';

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
        storage: () => new SqliteOutboxStorage(join(dir, 'outbox.db')),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'memory',
    durable: false,
    create() {
      const storage = new MemoryOutboxStorage();
      // Re-opening memory storage hands back the same object (close is a no-op), like a process that lived on.
      return { storage: () => storage, cleanup: () => {} };
    },
  },
];

export function event(stream: string, n: number, overrides: Partial<StoreEvent> = {}): StoreEvent {
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

export function parseItem(item: string): {
  id: string;
  seq: number;
  stream: string;
  data: Record<string, unknown>;
} {
  return JSON.parse(item);
}
