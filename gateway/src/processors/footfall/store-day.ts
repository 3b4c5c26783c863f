import { wallClock } from '../../core/local-time.js';

const DAY_MS = 86_400_000;

/** Offset of `timeZone` from UTC at instant `t`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const w = wallClock(t, timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant of local wall time y-mo-d hh:mm in `timeZone` (DST gaps resolve to the later instant). */
function localToInstant(y: number, mo: number, d: number, hh: number, mm: number, timeZone: string): number {
  const naive = Date.UTC(y, mo - 1, d, hh, mm);
  let guess = naive - zoneOffsetMs(naive, timeZone);
  guess = naive - zoneOffsetMs(guess, timeZone);
  return guess;
}

/**
 * The first "store empty" instant strictly after `t`, e.g. 03:00 local time: the boundary between store days.
 */
export function nextStoreDayBoundary(t: number, hhmm: string, timeZone: string): number {
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  const w = wallClock(t, timeZone);
  for (let dayShift = -1; dayShift <= 2; dayShift++) {
    const noonUtc = Date.UTC(w.y, w.mo - 1, w.d + dayShift, 12);
    const day = new Date(noonUtc);
    const candidate = localToInstant(
      day.getUTCFullYear(),
      day.getUTCMonth() + 1,
      day.getUTCDate(),
      hh,
      mm,
      timeZone,
    );
    if (candidate > t) return candidate;
  }
  return t + DAY_MS; // unreachable for real zones; keeps the function total
}

/** The boundary at or before `t` (start of the store day containing `t`). */
export function storeDayStart(t: number, hhmm: string, timeZone: string): number {
  let start = nextStoreDayBoundary(t - DAY_MS - 3 * 3_600_000, hhmm, timeZone);
  for (let next = nextStoreDayBoundary(start, hhmm, timeZone); next <= t; ) {
    start = next;
    next = nextStoreDayBoundary(start, hhmm, timeZone);
  }
  return start;
}

/** Local calendar date (YYYY-MM-DD) a store day is named after: the date at its start. */
export function storeDayLabel(dayStart: number, timeZone: string): string {
  const w = wallClock(dayStart, timeZone);
  return `${w.y}-${String(w.mo).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}
