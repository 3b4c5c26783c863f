import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facingSignature, facingsOf, planogramToWire } from '../../gateway/src/core/facings.js';
import { neighbours, parsePlanogram } from '../../gateway/src/core/planogram.js';
import { ShelvesStore } from '../../gateway/src/registry/planogram-store.js';

const minimal = {
  plates: [
    { device: 'shelf-a3', channel: 0, sku: 'cola-330', unit_grams: 352, tolerance_grams: 6, capacity: 24 },
  ],
};

describe('planogram schema', () => {
  it('accepts the minimal flat form with defaults for tolerance and low stock', () => {
    const [p] = parsePlanogram({
      plates: [{ device: 'd', channel: 1, sku: 's', unit_grams: 500, capacity: 8 }],
    });
    expect(p).toMatchObject({
      device: 'd',
      channel: 1,
      unitGrams: 500,
      toleranceGrams: 10,
      capacity: 8,
      lowStock: 2,
    });
  });

  it('flattens fixtures → shelves → plates and links neighbours on a shelf and on a device', () => {
    const plates = parsePlanogram({
      fixtures: [
        {
          id: 'gondola-3',
          shelves: [
            {
              id: 'top',
              plates: [
                { device: 'a', channel: 0, sku: 'x', unit_grams: 100, capacity: 5 },
                { device: 'b', channel: 4, sku: 'y', unit_grams: 200, capacity: 5 },
              ],
            },
          ],
        },
      ],
      plates: [{ device: 'a', channel: 1, sku: 'z', unit_grams: 300, capacity: 5 }],
    });
    expect(plates.map((p) => [p.fixture, p.shelf])).toEqual([
      ['gondola-3', 'top'],
      ['gondola-3', 'top'],
      [undefined, undefined],
    ]);
    const n = neighbours(plates);
    expect(n.get('a#0')).toEqual(expect.arrayContaining(['b#4', 'a#1']));
  });

  it('a facing lists its plates: each plate carries the facing, plates of one facing are neighbours, the wire form round-trips', () => {
    const raw = {
      plates: [{ device: 'a', channel: 0, sku: 'x', unit_grams: 100, capacity: 5 }],
      facings: [
        {
          id: 'chips-bbq',
          sku: 'chips-bbq',
          unit_grams: 105.5,
          capacity: 30,
          plates: [
            { device: 'a', channel: 1 },
            { device: 'a', channel: 2 },
            { device: 'b', channel: 0 },
          ],
        },
      ],
    };
    const plates = parsePlanogram(raw);
    expect(plates.map((p) => [p.facing, p.facingIndex, p.capacity])).toEqual([
      ['a#0', 0, 5],
      ['chips-bbq', 0, 30],
      ['chips-bbq', 1, 30],
      ['chips-bbq', 2, 30],
    ]);
    expect(neighbours(plates).get('b#0')).toEqual(['a#2']);
    expect(facingsOf(plates).map((f) => [f.id, f.plates])).toEqual([
      ['a#0', ['a#0']],
      ['chips-bbq', ['a#1', 'a#2', 'b#0']],
    ]);
    expect(parsePlanogram(planogramToWire(plates))).toEqual(plates);
    expect(planogramToWire([plates[0]!]).facings).toBeUndefined();
    expect(() => parsePlanogram({ ...raw, facings: [{ ...raw.facings[0], plates: [] }] })).toThrow(/plates/);
  });

  it('reports every problem with its path, and duplicate plates', () => {
    expect(() =>
      parsePlanogram({
        plates: [{ device: 'd', channel: 99, sku: '', unit_grams: -1, capacity: 0, extra: 1 }],
      }),
    ).toThrow(/plates\.0\.channel[\s\S]*plates\.0\.sku[\s\S]*unit_grams/);
    expect(() => parsePlanogram({ plates: [minimal.plates[0], minimal.plates[0]] })).toThrow(/listed twice/);
  });
});

describe('planogram store (shelves.db)', () => {
  let dir: string;
  let store: ShelvesStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-planogram-'));
    store = new ShelvesStore(join(dir, 'shelves.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps learned unit weights across reopening and drops them when the planogram changes that facing', () => {
    store.replace(minimal, 'alice', 'initial', 1000);
    const [facing] = facingsOf(store.current()!.plates);
    const w = {
      facing: facing!.id,
      signature: facingSignature(facing!),
      mean: 361.2,
      spread: 5.1,
      n: 12,
      updatedAt: 5,
    };
    store.saveLearnedWeights([w]);
    store.close();
    store = new ShelvesStore(join(dir, 'shelves.db'));
    expect(store.learnedWeights()).toEqual([w]);
    store.replace(minimal, 'bob', 'same facing', 2000);
    expect(store.learnedWeights()).toEqual([w]);
    store.setPlate({ ...minimal.plates[0]!, unit_grams: 330 }, 'carol', 3000);
    expect(store.learnedWeights()).toEqual([]);
  });

  it('versions every change with who, when and why; survives reopening', () => {
    store.replace(minimal, 'alice', 'initial', 1000);
    store.setPlate(
      { device: 'shelf-a3', channel: 1, sku: 'chips', unit_grams: 250, capacity: 20 },
      'bob',
      2000,
    );
    store.removePlate('shelf-a3', 0, 'carol', 3000);
    expect(store.history().map((h) => [h.version, h.changedBy, h.changedAt, h.reason])).toEqual([
      [3, 'carol', 3000, 'remove shelf-a3#0'],
      [2, 'bob', 2000, 'set shelf-a3#1'],
      [1, 'alice', 1000, 'initial'],
    ]);
    store.close();
    store = new ShelvesStore(join(dir, 'shelves.db'));
    expect(store.current()!.plates.map((p) => p.sku)).toEqual(['chips']);
  });

  it('a bad planogram changes nothing', () => {
    store.replace(minimal, 'alice', 'initial', 1000);
    expect(() => store.replace({ plates: [{ device: 'x' }] }, 'eve', 'bad', 2000)).toThrow(
      /invalid planogram/,
    );
    expect(() => store.removePlate('nope', 0, 'eve', 2000)).toThrow(/no plate/);
    expect(store.version()).toBe(1);
  });

  it('keeps calibration history and returns the latest per channel', () => {
    const base = {
      device: 'shelf-a3',
      channel: 0,
      scale: 1,
      spanGrams: 1000,
      noiseGrams: 0.4,
      installer: 'i',
      note: '',
    };
    store.saveCalibration({ ...base, zeroGrams: 10, calibratedAt: 1 }, 1);
    store.saveCalibration({ ...base, zeroGrams: 12, calibratedAt: 2 }, 2);
    expect(store.calibrations().map((c) => c.zeroGrams)).toEqual([12]);
    expect(store.calibrationHistory('shelf-a3', 0).map((c) => c.zeroGrams)).toEqual([12, 10]);
  });
});
