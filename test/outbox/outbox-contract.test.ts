import { afterEach, describe, expect, it } from 'vitest';
import { StoregateError } from '../../gateway/src/core/errors.js';
import { MemoryOutboxStorage } from '../../gateway/src/sinks/outbox/memory-storage.js';
import type { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import {
  accountStream,
  EPOCH,
  event,
  openOutbox,
  parseItem,
  STORAGE_KINDS,
  wireItems,
} from './outbox-fixtures.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const kind of STORAGE_KINDS) {
  describe(`outbox contract: ${kind.name}`, () => {
    let env: ReturnType<typeof kind.create>;
    let outbox: Outbox | null = null;
    afterEach(() => {
      outbox?.close();
      outbox = null;
      env?.cleanup();
    });
    const open = (o = {}) => {
      env ??= kind.create();
      outbox = openOutbox(env.storage(), o);
      return outbox;
    };

    it('assigns UUIDv7 ids and gap-free per-stream seqs, and hands rows out in append order', async () => {
      env = kind.create();
      const ob = open();
      await Promise.all([
        ob.append([event('a', 1), event('b', 1)]),
        ob.append([event('a', 2)]),
        ob.append([event('b', 2), event('a', 3)]),
      ]);
      const items = ob.next(100, 1 << 20).map((r) => parseItem(r.item));
      // The store's epoch rides with every event: (stream, epoch, seq) is never reused.
      for (const i of items) expect(Object.keys(i).slice(0, 3)).toEqual(['id', 'epoch', 'seq']);
      expect(new Set(items.map((i) => i.epoch))).toEqual(new Set([EPOCH]));
      expect(items.map((i) => `${i.stream}:${i.seq}:${i.data.n}`)).toEqual([
        'a:1:1',
        'b:1:1',
        'a:2:2',
        'b:2:2',
        'a:3:3',
      ]);
      expect(new Set(items.map((i) => i.id)).size).toBe(5);
      for (const i of items) expect(i.id).toMatch(UUID_V7);
    });

    it('ack removes rows; rewind hands out again exactly what was not acknowledged', async () => {
      env = kind.create();
      const ob = open();
      await ob.append([1, 2, 3, 4].map((n) => event('s', n)));
      const first = ob.next(2, 1 << 20);
      const second = ob.next(2, 1 << 20);
      expect(ob.next(2, 1 << 20)).toEqual([]);
      ob.ack(second);
      ob.rewind();
      expect(ob.next(10, 1 << 20).map((r) => r.seq)).toEqual([1, 2]);
      ob.flush();
      expect(ob.totals().must_deliver.count).toBe(2);
      ob.ack(first);
      ob.flush();
      expect(ob.totals().must_deliver).toEqual({ count: 0, bytes: 0 });
    });

    it('bounds a read by wire bytes but always hands out at least one row', async () => {
      env = kind.create();
      const ob = open();
      await ob.append([1, 2, 3].map((n) => event('s', n, { data: { pad: 'x'.repeat(1000), n } })));
      expect(ob.next(10, 2500)).toHaveLength(2);
      expect(ob.next(10, 10)).toHaveLength(1);
    });

    it('refuses a whole batch with an invalid or oversize event, consuming no seq', async () => {
      env = kind.create();
      const ob = open({ maxEventBytes: 2048 });
      await expect(
        ob.append([event('s', 1), event('s', 2, { data: { big: 'x'.repeat(4096) } })]),
      ).rejects.toThrow(/max_event_bytes/);
      await expect(ob.append([event('s', 3, { t: Number.NaN })])).rejects.toBeInstanceOf(StoregateError);
      await ob.append([event('s', 4)]);
      expect(ob.next(10, 1 << 20).map((r) => [r.seq, parseItem(r.item).data.n])).toEqual([[1, 4]]);
      expect(ob.state.counters.get('rejected:oversize')).toBe(2);
      expect(ob.state.counters.get('rejected:invalid')).toBe(1);
    });

    it('refuses appends that would cross the free-disk floor, says so in-band, and accepts again when space returns', async () => {
      env = kind.create();
      let free = 100_000;
      const ob = open({ minFreeDiskBytes: 90_000, freeDiskBytes: () => free });
      const refused = ob.append([event('s', 1, { data: { pad: 'x'.repeat(8000) } })]);
      await expect(refused).rejects.toThrow(/floor/);
      await expect(ob.append([event('s', 2)])).rejects.toMatchObject({ code: 'SG_IO' });
      expect(ob.diskState()).toBe('refusing');
      free = 10_000_000;
      await new Promise((r) => setTimeout(r, 300)); // the statfs reading is cached for 250 ms
      await ob.append([event('s', 3)]);
      expect(ob.diskState()).toBe('ok');
      const items = ob.next(10, 1 << 20).map((r) => parseItem(r.item));
      expect(items.filter((i) => i.stream === 's').map((i) => [i.seq, i.data.n])).toEqual([[1, 3]]);
      const notes = items.filter((i) => i.stream === 'gateway/outbox');
      expect(notes.map((i) => [i.seq, i.type, i.data.state])).toEqual([
        [1, 'gateway.disk_full', 'refusing'],
        [2, 'gateway.disk_full', 'recovered'],
      ]);
      expect(notes[1]!.data.refused).toEqual({ must_deliver: 2, telemetry: 0, by_type: { 'test.event': 2 } });
      expect(ob.state.counters.get('rejected:disk_floor')).toBe(2);
    });

    it('counts free pages inside the store as available: space freed by a drain lets appends in', async () => {
      env = kind.create();
      let free = Number.MAX_SAFE_INTEGER;
      const ob = open({ minFreeDiskBytes: 90_000, freeDiskBytes: () => free });
      const storage = ob.storage;
      await ob.append(
        Array.from({ length: 400 }, (_, i) => event('fill', i, { data: { pad: 'y'.repeat(2000) } })),
      );
      ob.ack(ob.next(1000, 1 << 30));
      ob.flush();
      // SQLite counts its free pages; the memory storage is told what it could reuse.
      if (storage instanceof MemoryOutboxStorage) storage.reclaimable = 800_000;
      free = 50_000;
      await new Promise((r) => setTimeout(r, 300)); // the statfs reading is cached for 250 ms
      expect(ob.disk().reclaimable).toBeGreaterThan(100_000);
      await ob.append([event('s', 1)]);
      expect(ob.diskState()).toBe('ok');
      expect(ob.state.counters.get('rejected:disk_floor')).toBeUndefined();
    });

    it('keeps seqs, rows and counters across close and reopen', async () => {
      env = kind.create();
      const ob = open();
      await ob.append([event('s', 1), event('s', 2)]);
      ob.close();
      const again = open();
      await again.append([event('s', 3)]);
      expect(again.next(10, 1 << 20).map((r) => r.seq)).toEqual(kind.durable ? [1, 2, 3] : [1, 2, 3]);
      expect(again.totals().must_deliver.count).toBe(3);
    });

    it('compacts telemetry under budget pressure into rollups, never touching must-deliver', async () => {
      env = kind.create();
      const ob = open({ budgetBytes: 1024 * 1024 });
      const md = Array.from({ length: 200 }, (_, i) => event('door', i));
      const tel = Array.from({ length: 6000 }, (_, i) =>
        event('shelf', i, {
          dataClass: 'telemetry',
          t: 1_700_000_000_000 + i * 100,
          data: { weight_g: i % 50, ok: 'yes' },
        }),
      );
      await ob.append(md);
      for (let i = 0; i < tel.length; i += 500) await ob.append(tel.slice(i, i + 500));
      await new Promise((r) => setTimeout(r, 50));
      expect(ob.usedBytes()).toBeLessThan(1024 * 1024 * 0.85);
      const rows = ob.next(100_000, 1 << 30);
      expect(rows.filter((r) => r.dataClass === 'must_deliver').map((r) => r.seq)).toEqual(
        md.map((_, i) => i + 1),
      );
      const rollups = rows.filter((r) => r.level > 0).map((r) => parseItem(r.item).data);
      const raw = rows.filter((r) => r.dataClass === 'telemetry' && r.level === 0).length;
      const covered = rollups.reduce((n, d) => n + (d.count as number), 0);
      expect(raw + covered).toBe(6000);
      expect(ob.state.counters.get('compacted:raw_to_1m')).toBe(6000 - raw);
      const types = rollups[0]!.types as Record<
        string,
        { fields: Record<string, { min: number; max: number }> }
      >;
      const f = types['test.event']!.fields.weight_g!;
      expect(f.min).toBe(0);
      expect(f.max).toBe(49);
      expect(types['test.event']!.fields).not.toHaveProperty('ok');
      expect(accountStream(wireItems(rows), 'shelf')).toEqual({
        rollup: covered,
        ...(raw ? { telemetry: raw } : {}),
      });
    });
  });
}

describe('outbox: failed commit', () => {
  it('rejects every append of the group and gives their seqs back', async () => {
    const storage = new MemoryOutboxStorage();
    const ob = openOutbox(storage);
    storage.failNextWrite = new Error('disk I/O error');
    const a = ob.append([event('s', 1)]);
    const b = ob.append([event('s', 2)]);
    await expect(a).rejects.toThrow(/commit failed/);
    await expect(b).rejects.toThrow(/commit failed/);
    await ob.append([event('s', 3)]);
    expect(ob.next(10, 1 << 20).map((r) => [r.seq, parseItem(r.item).data.n])).toEqual([[1, 3]]);
    ob.close();
  });
});
