import type { StoreEvent } from '../../core/events.js';

const HOUR_MS = 3_600_000;
/** Hourly buckets kept per plate: a day, what the dashboard's pick heatmap shows. */
const KEEP_HOURS = 24;

export interface PlatePicks {
  device: string;
  channel: number;
  fixture: string | null;
  sku: string;
  picks: number;
  puts: number;
}

interface Tally {
  plate: Omit<PlatePicks, 'picks' | 'puts'>;
  /** hour start → [units picked, units put back] */
  hours: Map<number, [number, number]>;
}

/**
 * Units picked from and put back on each plate per hour, counted from the live event feed (durable events)
 * since the gateway started, kept for a day: the dashboard's per-fixture pick heatmap.
 */
export class PickTally {
  private readonly plates = new Map<string, Tally>();
  readonly since: number;

  constructor(now: number) {
    this.since = now;
  }

  add(events: readonly StoreEvent[]): void {
    for (const e of events) {
      if (e.type !== 'shelf.pick' && e.type !== 'shelf.put') continue;
      const d = e.data as { device: string; channel: number; fixture?: string; sku: string; qty: number };
      const key = `${d.device}#${d.channel}`;
      let tally = this.plates.get(key);
      if (!tally) {
        tally = {
          plate: { device: d.device, channel: d.channel, fixture: d.fixture ?? null, sku: d.sku },
          hours: new Map(),
        };
        this.plates.set(key, tally);
      }
      const hour = Math.floor(e.t / HOUR_MS) * HOUR_MS;
      const counts = tally.hours.get(hour) ?? [0, 0];
      counts[e.type === 'shelf.pick' ? 0 : 1] += d.qty;
      tally.hours.set(hour, counts);
      for (const h of tally.hours.keys()) if (h < hour - KEEP_HOURS * HOUR_MS) tally.hours.delete(h);
    }
  }

  /** Per plate over the last `hours` hours (at most a day) before `now`. */
  window(now: number, hours: number): { from: number; plates: PlatePicks[] } {
    const from = Math.max(this.since, now - Math.min(KEEP_HOURS, hours) * HOUR_MS);
    const first = Math.floor(from / HOUR_MS) * HOUR_MS;
    const plates = [...this.plates.values()].map(({ plate, hours: byHour }) => {
      let picks = 0;
      let puts = 0;
      for (const [h, [p, q]] of byHour) {
        if (h < first) continue;
        picks += p;
        puts += q;
      }
      return { ...plate, picks, puts };
    });
    return { from, plates };
  }
}
