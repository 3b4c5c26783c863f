import { zoneFormatter } from '../../core/local-time.js';

/**
 * Store days in the store's time zone: where a day starts and ends, its label, minutes since local midnight.
 * Processors get time only from readings and ticks, so this is arithmetic on epoch ms with Intl for the zone;
 * the current day's bounds are cached because samples and ticks ask many times per second.
 */
export class LocalDays {
  private readonly format: Intl.DateTimeFormat;
  private cached: { start: number; end: number } | null = null;

  constructor(readonly timeZone: string) {
    this.format = zoneFormatter(timeZone);
  }

  /** [start, end) of the local day holding `t`. */
  dayOf(t: number): { start: number; end: number } {
    const c = this.cached;
    if (c && t >= c.start && t < c.end) return c;
    const start = this.startOf(t);
    // +26 h lands in the next day even across a 23 h or 25 h DST day.
    const day = { start, end: this.startOf(start + 26 * 3_600_000) };
    this.cached = day;
    return day;
  }

  /** `YYYY-MM-DD` of the local day holding `t`. */
  label(t: number): string {
    const p = this.parts(t);
    return `${p.year}-${p.month}-${p.day}`;
  }

  minuteOfDay(t: number): number {
    return Math.floor((t - this.dayOf(t).start) / 60_000);
  }

  private startOf(t: number): number {
    const p = this.parts(t);
    return t - ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 - (t % 1000);
  }

  private parts(t: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const part of this.format.formatToParts(t)) out[part.type] = part.value;
    return out;
  }
}

/** Split [from, to) at local midnights: `fn(dayStart, a, b)` for each piece. */
export function splitByDay(
  days: LocalDays,
  from: number,
  to: number,
  fn: (dayStart: number, a: number, b: number) => void,
): void {
  let a = from;
  while (a < to) {
    const day = days.dayOf(a);
    const b = Math.min(to, day.end);
    fn(day.start, a, b);
    a = b;
  }
}
