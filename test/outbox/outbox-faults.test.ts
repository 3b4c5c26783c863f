import { describe, expect, it } from 'vitest';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import type { ReserveLike } from '../../gateway/src/sinks/outbox/outbox-maintenance.js';
import { FakeClock } from '../../shared/src/clock.js';
import { event, openOutbox, parseItem, STORAGE_KINDS } from './outbox-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function diskFull(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
}

class FakeReserve implements ReserveLike {
  held: number;
  releases = 0;
  constructor(readonly bytes: number) {
    this.held = bytes;
  }
  missing() {
    return this.bytes - this.held;
  }
  release() {
    const r = this.held;
    this.held = 0;
    if (r > 0) this.releases++;
    return r;
  }
  refill(free: number, keep: number) {
    const m = this.missing();
    if (m <= 0 || free - m < keep) return 0;
    this.held = this.bytes;
    return m;
  }
}

describe('outbox on a full disk (memory storage with injected failures)', () => {
  it('does not retry failed deletes in a tight loop, and drains once writes succeed again', async () => {
    const storage = new MemoryOutboxStorage();
    const ob = openOutbox(storage);
    await ob.append([1, 2, 3].map((n) => event('s', n)));
    storage.failWrites = diskFull();
    const before = storage.writeAttempts;
    ob.ack(ob.next(10, 1 << 20));
    await sleep(400);
    // Backoff 50, 100, 200 ms…: a handful of attempts, where a 5 ms requeue would have made ~80.
    expect(storage.writeAttempts - before).toBeGreaterThan(1);
    expect(storage.writeAttempts - before).toBeLessThan(8);
    expect(ob.totals().must_deliver.count).toBe(3);
    storage.failWrites = null;
    await sleep(1300);
    // The three acked rows are gone; what is left are the outbox's own notes about the episode.
    ob.rewind();
    const left = ob.next(10, 1 << 20).map((r) => parseItem(r.item));
    expect(left.map((i) => [i.stream, i.data.state])).toEqual([
      ['gateway/outbox', 'refusing'],
      ['gateway/outbox', 'recovered'],
    ]);
    ob.close();
  });

  it('a write hitting a full disk releases the reserve, refuses appends without writing, and recovers', async () => {
    const storage = new MemoryOutboxStorage();
    const reserve = new FakeReserve(64 * 1024);
    let free = 10 * 1024 * 1024;
    const ob = openOutbox(storage, { reserve, freeDiskBytes: () => free, minFreeDiskBytes: 1024 * 1024 });
    await ob.append([event('s', 1)]);
    storage.failInserts = diskFull();
    await expect(ob.append([event('s', 2)])).rejects.toThrow(/commit failed/);
    expect(reserve.releases).toBe(1);
    expect(ob.diskState()).toBe('refusing');
    const attempts = storage.writeAttempts;
    await expect(ob.append([event('s', 3)])).rejects.toThrow(/floor/);
    // Deletes still get through while refusing (they need the least space).
    ob.ack(ob.next(10, 1 << 20));
    await sleep(200);
    expect(ob.totals().must_deliver.count).toBe(0);
    expect(storage.writeAttempts - attempts).toBeLessThan(8);
    storage.failInserts = null;
    free = 20 * 1024 * 1024;
    await sleep(1300);
    expect(ob.diskState()).toBe('ok');
    expect(reserve.held).toBe(reserve.bytes);
    await ob.append([event('s', 4)]);
    const items = ob.next(10, 1 << 20).map((r) => parseItem(r.item));
    expect(items.map((i) => [i.stream, i.seq, i.type, i.data.state ?? i.data.n])).toEqual([
      ['gateway/outbox', 1, 'gateway.disk_full', 'refusing'],
      ['gateway/outbox', 2, 'gateway.disk_full', 'recovered'],
      ['s', 2, 'test.event', 4],
    ]);
    expect(items[0]!.data.cause).toBe('write_failed');
    ob.close();
  });
});

for (const kind of STORAGE_KINDS) {
  describe(`outbox and the wall clock: ${kind.name}`, () => {
    it('reports a step back as a clock.step event and keeps seqs in order', async () => {
      const env = kind.create();
      const clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
      const ob = openOutbox(env.storage(), { clock });
      await ob.append([event('s', 1)]);
      clock.stepWall(-3_600_000);
      await ob.append([event('s', 2)]);
      clock.advance(10);
      await ob.append([event('s', 3)]);
      const items = ob.next(10, 1 << 20).map((r) => parseItem(r.item));
      expect(items.map((i) => [i.stream, i.seq])).toEqual([
        ['s', 1],
        ['s', 2],
        ['gateway/clock', 1],
        ['s', 3],
      ]);
      const step = items.find((i) => i.type === 'clock.step')!;
      expect(step).toMatchObject({
        class: 'must_deliver',
        data: { direction: 'back', delta_ms: -3_600_000 },
      });
      ob.close();
      env.cleanup();
    });
  });
}
