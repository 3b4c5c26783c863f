import { describe, expect, it } from 'vitest';
import { inQuietWindow, localMinutes } from './quiet-window.js';

const at = (iso: string) => Date.parse(iso);

describe('quiet window', () => {
  it('reads local time in the store time zone (DST included)', () => {
    expect(localMinutes(at('2026-07-01T00:30:00Z'), 'Europe/Amsterdam')).toBe(2 * 60 + 30);
    expect(localMinutes(at('2026-12-01T00:30:00Z'), 'Europe/Amsterdam')).toBe(60 + 30);
  });

  it('a window within one day and one across midnight', () => {
    const night = { start: '02:00', end: '05:00' };
    expect(inQuietWindow(at('2026-12-01T01:30:00Z'), night, 'Europe/Amsterdam')).toBe(true); // 02:30
    expect(inQuietWindow(at('2026-12-01T04:00:00Z'), night, 'Europe/Amsterdam')).toBe(false); // 05:00
    expect(inQuietWindow(at('2026-12-01T12:00:00Z'), night, 'Europe/Amsterdam')).toBe(false);
    const late = { start: '22:00', end: '05:00' };
    expect(inQuietWindow(at('2026-12-01T22:30:00Z'), late, 'UTC')).toBe(true);
    expect(inQuietWindow(at('2026-12-01T03:59:00Z'), late, 'UTC')).toBe(true);
    expect(inQuietWindow(at('2026-12-01T05:00:00Z'), late, 'UTC')).toBe(false);
    expect(inQuietWindow(at('2026-12-01T21:59:00Z'), late, 'UTC')).toBe(false);
  });
});
