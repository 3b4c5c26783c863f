import { StoregateError } from './errors.js';

/**
 * Wall-clock fields of an instant in a store's IANA time zone, with Intl (one cached formatter per zone):
 * the base of store days (processors/footfall/store-day.ts) and local days (processors/coldchain/local-days.ts).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
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
export function wallClock(
  t: number,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(t)) {
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

/** Validate a timezone name once at start, with a clear message. */
export function assertTimeZone(timeZone: string): void {
  try {
    zoneFormatter(timeZone);
  } catch {
    throw new StoregateError('SG_CONFIG_INVALID', `store.timezone: unknown timezone "${timeZone}"`, {
      hint: 'use an IANA name such as Europe/Berlin',
    });
  }
}
