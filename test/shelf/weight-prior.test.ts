import { describe, expect, it } from 'vitest';
import { parsePlanogram } from '../../gateway/src/core/planogram.js';
import { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import { UnitWeight } from '../../gateway/src/processors/shelf/unit-weight.js';
import { Prng } from '../bench/shelf-prng.js';
import { ofType, PlateScript, run } from './trace-script.js';

describe('unit-weight prior and the first events', () => {
  it('the first events never make the real weight look further off than it did before them', () => {
    // Printed 100 g, real 106 g. The mean learns robustly (a third of the way at the first event); its claimed
    // uncertainty must shrink no faster, or the right SKU looks less likely after it has started learning.
    const w = new UnitWeight(100, 2);
    const zOf = () => Math.abs(106 - w.mean) / w.predictSigma(1, 0.3);
    const z0 = zOf();
    for (const x of [106.4, 105.7, 106.1, 105.9, 106.2, 105.8]) {
      w.observe(x, 1, 0.3);
      expect(zOf()).toBeLessThanOrEqual(z0 + 0.05);
    }
    expect(Math.abs(w.mean - 106)).toBeLessThan(2.5);
  });

  it('the spread learned from the first events is the units’ spread, not the mean still being learned', () => {
    const rng = new Prng(21);
    const w = new UnitWeight(200, 4);
    // Real mean 6 % above print, units vary by 1 % (2 g).
    for (let i = 0; i < 12; i++) w.observe(212 + rng.gauss() * 2, 1, 0.5);
    expect(Math.abs(w.mean - 212)).toBeLessThan(3);
    expect(w.spread).toBeLessThan(3.5);
  });

  it('an unlearned facing whose real mean is 6 % off the printed weight names its SKU at its own plate', () => {
    const plates = parsePlanogram({
      plates: [
        { device: 's', channel: 0, sku: 'bbq', unit_grams: 105.5, capacity: 30 },
        { device: 's', channel: 1, sku: 'salt', unit_grams: 103.9, capacity: 30 },
        { device: 's', channel: 2, sku: 'onion', unit_grams: 103.6, capacity: 30 },
      ],
    });
    // Real bbq bags weigh 6 % less than printed (99.2 g): closer to the neighbours' printed weights than the
    // own facing's. The plate that changed still names bbq, from the first event on, puts as well as picks.
    const rng = new Prng(22);
    const bbq = new PlateScript(10 * 99.2, 0.8, 23).hold(3000);
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const put = i % 2 === 0;
      kinds.push(put ? 'shelf.put' : 'shelf.pick');
      bbq.step((put ? 1 : -1) * 99.2 * (1 + rng.gauss() * 0.01), 250).hold(4500);
    }
    const ms = (bbq.samples.length * 1000) / 60;
    const salt = new PlateScript(1039, 0.8, 24).hold(ms);
    const onion = new PlateScript(1036, 0.8, 25).hold(ms);
    const events = ofType(
      run(
        new ShelfProcessor({ plates }),
        bbq.readings('s', 0),
        salt.readings('s', 1),
        onion.readings('s', 2),
      ),
      'shelf.pick',
      'shelf.put',
      'shelf.misplaced',
      'shelf.change',
    );
    expect(events.map((e) => [e.type, e.data.channel, e.data.sku, e.data.qty, e.data.ambiguous])).toEqual(
      kinds.map((k) => [k, 0, 'bbq', 1, undefined]),
    );
  });
});
