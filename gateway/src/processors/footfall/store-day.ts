const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of instant `t` in `timeZone`. */
function wallClock(
  t: number,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    y: parts.year!,
    mo: parts.month!,
    d: parts.day!,
    h: parts.hour!,
    mi: parts.minute!,
    s: parts.second!,
  };
}

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

/** Validate a timezone name once at start, with a clear message. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new Error(`unknown timezone "${timeZone}" (use an IANA name such as Europe/Berlin)`);
  }
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
