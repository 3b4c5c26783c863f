import { describe, expect, it } from 'vitest';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import { ofType, PlateScript, run } from './trace-script.js';

const picksPuts = (events: ReturnType<typeof run>) =>
  ofType(events, 'shelf.pick', 'shelf.put', 'shelf.change', 'shelf.misplaced');

describe('slow puts', () => {
  it('a put lowered over 3 s on a noisy plate settles as one put', () => {
    const plates = parsePlanogram({
      plates: [{ device: 's', channel: 0, sku: 'jam', unit_grams: 60, capacity: 30 }],
    });
    const s = new PlateScript(10 * 60, 2.5, 36).hold(20_000).step(60, 3000).hold(8000);
    const events = picksPuts(run(new ShelfProcessor({ plates }), s.readings('s', 0)));
    expect(events.map((e) => [e.type, e.data.sku, e.data.qty, e.data.ambiguous])).toEqual([
      ['shelf.put', 'jam', 1, undefined],
    ]);
  });

  it('a put lowered with the hand still bearing part of it, resting there, then let go is one put', () => {
    const plates = parsePlanogram({
      plates: [{ device: 's', channel: 0, sku: 'oil', unit_grams: 480, capacity: 12 }],
    });
    // 60 % of the bottle's weight arrives over 1.5 s, the hand holds it there for 0.8 s (the plate settles on a
    // level that is no whole unit), then lets go: the settled span is split in two, the cluster sums them.
    const s = new PlateScript(5 * 480, 1.5, 37)
      .hold(20_000)
      .step(288, 1500)
      .hold(800)
      .step(192, 300)
      .hold(8000);
    const events = picksPuts(run(new ShelfProcessor({ plates }), s.readings('s', 0)));
    expect(events.map((e) => [e.type, e.data.sku, e.data.qty, e.data.ambiguous])).toEqual([
      ['shelf.put', 'oil', 1, undefined],
    ]);
  });
});
