import { describe, expect, it } from 'vitest';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import { ofType, PlateScript, run } from './trace-script.js';

const plates = parsePlanogram({
  plates: [
    { device: 'shelf-a3', channel: 0, sku: 'cola-330', unit_grams: 352, tolerance_grams: 6, capacity: 24 },
  ],
});

// HX711-class ADCs run at 10 or 80 samples/s; windows are in milliseconds, so the same detector serves both.
describe.each([10, 80])('%i Hz plates', (hz) => {
  it('pick, multi-put, lean and spike', () => {
    const s = new PlateScript(3520, 1, 60 + hz, hz)
      .hold(3000)
      .step(-352, 200)
      .hold(4000)
      .step(704, 300)
      .hold(4000)
      .lean(900, 2000)
      .hold(3000)
      .spike(3000)
      .hold(3000);
    const events = run(
      new ShelfProcessor({ plates }),
      s.readings('shelf-a3', 0, undefined, Math.max(1, hz / 5)),
    );
    const pp = ofType(events, 'shelf.pick', 'shelf.put');
    expect(pp.map((e) => [e.type, e.data.qty])).toEqual([
      ['shelf.pick', 1],
      ['shelf.put', 2],
    ]);
  });
});
