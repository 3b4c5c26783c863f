/** Minutes since local midnight in `timeZone` at epoch ms `at`. */
export function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * Whether `at` falls inside the daily window [start, end) in the store's time zone; a window whose end is
 * before its start runs past midnight (22:00–05:00).
 */
export function inQuietWindow(at: number, window: { start: string; end: string }, timeZone: string): boolean {
  const now = localMinutes(at, timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return true;
  return start < end ? now >= start && now < end : now >= start || now < end;
}
