import { describe, expect, it } from 'vitest';
import type { SessionTruth } from './lane-sessions.js';
import { scoreLanes } from './score-lane.js';
import { f1, type ShelfEvent, ShelfScorer } from './score-shelf.js';
import type { ShelfTruth } from './shelf-actions.js';

const T0 = 1_800_000_000_000;
const facings = new Map([
  ['f-a', ['s1#0', 's1#1']],
  ['f-b', ['s1#2']],
]);
const scorer = new ShelfScorer(facings);

function truth(over: Partial<ShelfTruth> = {}): ShelfTruth {
  return {
    t0: T0,
    t1: T0 + 1500,
    kind: 'pick',
    sku: 'a',
    qty: 1,
    facing: 'f-a',
    device: 's1',
    plates: ['s1#0'],
    classes: ['pick'],
    ...over,
  };
}

function event(over: Partial<ShelfEvent> = {}): ShelfEvent {
  return {
    type: 'shelf.pick',
    t: T0 + 200,
    device: 's1',
    channel: 0,
    sku: 'a',
    qty: 1,
    facing: 'f-a',
    ...over,
  };
}

describe('shelf scorer matching rules', () => {
  it('matches an event of the right kind, SKU, quantity, place and time', () => {
    const s = scorer.score([truth()], [event()]);
    expect(s.all).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(f1(s.all)).toBe(1);
  });

  it('counts a duplicate event as a false positive', () => {
    const s = scorer.score([truth()], [event(), event({ t: T0 + 900 })]);
    expect(s.all).toMatchObject({ tp: 1, fp: 1, fn: 0 });
  });

  it('rejects the right SKU reported on another facing, and a wrong SKU at the right place', () => {
    const elsewhere = scorer.score([truth()], [event({ channel: 2, facing: 'f-b' })]);
    expect(elsewhere.all).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    const wrongSku = scorer.score([truth()], [event({ sku: 'b' })]);
    expect(wrongSku.all).toMatchObject({ tp: 0, fp: 1, fn: 1 });
  });

  it('accepts a plate of the facing or of the spans, and the time window edges', () => {
    const onOtherPlate = scorer.score([truth()], [event({ channel: 1, facing: undefined })]);
    expect(onOtherPlate.all.tp).toBe(1);
    const bySpan = scorer.score(
      [truth({ facing: 'f-b', plates: ['s1#2'] })],
      [event({ channel: 7, facing: undefined, spans: [{ device: 's1', channel: 2 }] })],
    );
    expect(bySpan.all.tp).toBe(1);
    expect(scorer.score([truth()], [event({ t: T0 + 1500 + 6000 })]).all.tp).toBe(1);
    expect(scorer.score([truth()], [event({ t: T0 + 1500 + 6001 })]).all).toMatchObject({
      tp: 0,
      fp: 1,
      fn: 1,
    });
    expect(scorer.score([truth()], [event({ t: T0 - 1001 })]).all.tp).toBe(0);
  });

  it('needs the quantity and the kind to agree', () => {
    expect(scorer.score([truth()], [event({ qty: 2 })]).all).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(scorer.score([truth()], [event({ type: 'shelf.put' })]).all).toMatchObject({
      tp: 0,
      fp: 1,
      fn: 1,
    });
  });

  it('takes shelf.misplaced as a put of the named item', () => {
    const put = truth({ kind: 'put', facing: 'f-b', plates: ['s1#2'], classes: ['put', 'misplaced return'] });
    const s = scorer.score([put], [event({ type: 'shelf.misplaced', channel: 2, facing: undefined })]);
    expect(s.all.tp).toBe(1);
    expect(s.classes.get('misplaced return')?.tp).toBe(1);
  });

  it('counts ambiguous events apart: neither a hit nor a false positive', () => {
    const s = scorer.score(
      [truth()],
      [event({ ambiguous: true }), { type: 'shelf.change', t: T0 + 100_000, device: 's1', channel: 0 }],
    );
    expect(s.all).toMatchObject({ tp: 0, fp: 0, fn: 1, ambiguous: 1 });
    expect(s.ambiguousSpurious).toBe(1);
  });

  it('lets a rapid double pick match one event of the summed quantity, but not a single unit', () => {
    const a = truth({ group: 1 });
    const b = truth({ t0: T0 + 2000, t1: T0 + 3000, group: 1 });
    expect(scorer.score([a, b], [event({ qty: 2 })]).all).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(scorer.score([a, b], [event(), event({ t: T0 + 2200 })]).all).toMatchObject({
      tp: 2,
      fp: 0,
      fn: 0,
    });
    expect(scorer.score([a, b], [event({ qty: 3 })]).all).toMatchObject({ tp: 0, fp: 1, fn: 2 });
  });

  it('attributes a false positive with no interaction near it to the disturbance under it', () => {
    const s = scorer.score(
      [],
      [event({ t: T0 + 50_000 })],
      [{ t0: T0 + 49_000, t1: T0 + 52_000, device: 's1', kind: 'hand resting (no item)' }],
    );
    expect(s.classes.get('hand resting (no item)')?.fp).toBe(1);
  });
});

function session(over: Partial<SessionTruth> = {}): SessionTruth {
  return {
    lane: 'lane-1',
    openedAt: T0,
    closedAt: T0 + 60_000,
    honest: true,
    tags: [],
    items: 3,
    actions: [],
    ...over,
  };
}

describe('lane scorer rules', () => {
  it('counts an honest session with any alert once as a false alarm, with the action before it', () => {
    const s = scoreLanes(
      [
        session({
          actions: [
            { t: T0 + 5000, label: 'leaning' },
            { t: T0 + 5500, label: 'scan' },
          ],
        }),
      ],
      [
        { t: T0 + 6000, lane: 'lane-1', reason: 'unexpected_item' },
        { t: T0 + 9000, lane: 'lane-1', reason: 'unexpected_item' },
      ],
    );
    expect(s).toMatchObject({ honest: 1, falseAlarms: 1 });
    expect(s.falseCauses.get('unexpected_item after leaning')).toBe(1);
  });

  it('catches an act only with an alert at or after it; an earlier one is early, not a catch', () => {
    const act = { kind: 'unscanned' as const, t: T0 + 20_000, deltaGrams: 300, visible: true };
    const dishonest = session({ honest: false, act });
    expect(scoreLanes([dishonest], [{ t: T0 + 21_000, lane: 'lane-1' }])).toMatchObject({
      acts: 1,
      missed: 0,
    });
    const early = scoreLanes([dishonest], [{ t: T0 + 10_000, lane: 'lane-1' }]);
    expect(early).toMatchObject({ acts: 1, missed: 1, visibleMissed: 1, earlyAlarms: 1 });
  });

  it('gives an alert after basket-close to the session that opened last on its lane, not to another lane', () => {
    const a = session();
    const b = session({ openedAt: T0 + 100_000, closedAt: T0 + 160_000 });
    const other = session({ lane: 'lane-2' });
    const s = scoreLanes([a, b, other], [{ t: T0 + 61_000, lane: 'lane-1' }]);
    expect(s).toMatchObject({ honest: 3, falseAlarms: 1 });
  });
});
