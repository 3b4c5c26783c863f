import { describe, expect, it } from 'vitest';
import { serialReadingQuality } from './feature.js';

describe('serial reading quality', () => {
  it('applies the device definition rule on top of the driver quality', () => {
    expect(serialReadingQuality('good', { type: 'scale.reading', grams: 0, status: 'over' })).toBe('bad');
    expect(serialReadingQuality('uncertain', { type: 'scale.reading', grams: 5, status: 'motion' })).toBe(
      'uncertain',
    );
    expect(serialReadingQuality('good', { type: 'scale.reading', grams: 5, status: 'stable' })).toBe('good');
    expect(serialReadingQuality('bad', { type: 'door.beam', beam: 'a', blocked: true })).toBe('bad');
  });
});
