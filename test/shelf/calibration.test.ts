import { describe, expect, it } from 'vitest';
import {
  type Prompter,
  runCalibrationWizard,
  type SampleSource,
} from '../../gateway/src/cli/calibration/wizard.js';
import { computeCalibration } from '../../gateway/src/core/calibration.js';
import { Prng } from '../bench/shelf-prng.js';

/** A load cell under test: raw = zero + grams / scale + noise; the test says what lies on the plate. */
class FakeLoadCell implements SampleSource {
  grams = 0;
  reads = 0;
  private readonly rng = new Prng(31);
  constructor(
    private readonly zero: number,
    private readonly rawPerGram: number,
    private readonly noise: number,
    private readonly nonLinear = 0,
  ) {}
  async read(_device: string, _channel: number, ms: number): Promise<number[]> {
    this.reads++;
    const g = this.grams + this.nonLinear * (this.grams / 1000) ** 2;
    return Array.from(
      { length: Math.round((ms * 60) / 1000) },
      () => this.zero + g * this.rawPerGram + this.rng.gauss() * this.noise,
    );
  }
}

/** Scripted installer: answers in order, and puts weights on the plate when the wizard asks. */
function installer(
  cell: FakeLoadCell,
  answers: string[],
  onPrompt: Record<string, number>,
): Prompter & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    say: (t) => said.push(t),
    ask: async (q) => {
      said.push(q);
      for (const [fragment, grams] of Object.entries(onPrompt)) if (q.includes(fragment)) cell.grams = grams;
      return q.includes('grams') || q.includes('note') ? (answers.shift() ?? '') : '';
    },
  };
}

describe('calibration', () => {
  it('computes zero, scale, noise floor and linearity error', () => {
    const c = computeCalibration({
      zero: [100, 101, 99, 100],
      span: [1100, 1101, 1099, 1100],
      spanGrams: 2000,
      check: [600],
      checkGrams: 1000,
    });
    expect(c.zeroGrams).toBe(100);
    expect(c.scale).toBe(2);
    expect(c.linearityErrorGrams).toBe(0);
    expect(c.noiseGrams).toBeCloseTo(Math.sqrt(0.5) * 2, 6);
  });

  it('rejects a span that did not change the reading, or one that went down', () => {
    expect(() => computeCalibration({ zero: [100, 100.1], span: [100, 100.1], spanGrams: 1000 })).toThrow(
      /did not change/,
    );
    expect(() => computeCalibration({ zero: [100, 100.1], span: [50, 50.1], spanGrams: 1000 })).toThrow(
      /backwards/,
    );
  });

  it('guides the installer through tare, span and linearity, asking for weights and a note', async () => {
    const cell = new FakeLoadCell(812, 0.5, 0.2, 3);
    const p = installer(cell, ['2000', '1000', 'plate 3 after repair'], {
      'Empty the plate': 0,
      'Put the 2000': 2000,
      'Replace it with the 1000': 1000,
    });
    const record = await runCalibrationWizard(cell, p, {
      device: 'shelf-a3',
      channel: 2,
      measureMs: 1000,
      installer: 'ines',
      now: () => 42,
    });
    expect(cell.reads).toBe(3);
    expect(record).toMatchObject({
      device: 'shelf-a3',
      channel: 2,
      spanGrams: 2000,
      checkGrams: 1000,
      installer: 'ines',
      note: 'plate 3 after repair',
      calibratedAt: 42,
    });
    expect(record.zeroGrams).toBeCloseTo(812, 0);
    expect(record.scale).toBeCloseTo(2 * (2000 / 2012), 2);
    expect(record.noiseGrams).toBeGreaterThan(0.2);
    expect(record.noiseGrams).toBeLessThan(0.6);
    expect(record.linearityErrorGrams).toBeGreaterThan(1);
  });

  it('scripted mode: weights from options, no answers needed; no samples is a clear error', async () => {
    const cell = new FakeLoadCell(0, 1, 0.1);
    const p = installer(cell, [], { 'Empty the plate': 0, 'Put the 500': 500 });
    const record = await runCalibrationWizard(cell, p, {
      device: 'd',
      channel: 0,
      spanGrams: 500,
      measureMs: 500,
      installer: 'ci',
      note: '',
      now: () => 1,
    });
    expect(record.scale).toBeCloseTo(1, 2);
    expect(record.checkGrams).toBeUndefined();
    const silent: SampleSource = { read: async () => [] };
    await expect(
      runCalibrationWizard(silent, p, {
        device: 'd',
        channel: 0,
        spanGrams: 500,
        measureMs: 500,
        installer: 'ci',
        note: '',
        now: () => 1,
      }),
    ).rejects.toThrow(/0 sample/);
  });
});
