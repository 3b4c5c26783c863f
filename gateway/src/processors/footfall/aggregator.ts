import type { StoreEvent } from '../../core/events.js';
import {
  conversionRate,
  type DayRecord,
  type DoorCounts,
  type MinuteRecord,
} from '../../core/footfall-records.js';
import { correctDrift } from './drift-correction.js';
import { nextStoreDayBoundary, storeDayLabel, storeDayStart } from './store-day.js';

const MINUTE_MS = 60_000;
/** After a longer silence (gateway off, replay gap) empty minutes are not back-filled one by one. */
const MAX_BACKFILL_MINUTES = 2 * 1440;
/** Transaction ids remembered per day for de-duplication (POS sending both `transaction` and `payment-success`). */
const MAX_TX_IDS = 200_000;

export interface AggregatorOptions {
  store: string;
  timeZone: string;
  storeEmptyTime: string;
  driftCorrection: 'exits' | 'entries' | 'off';
}

export interface OccupancySnapshot {
  store: string;
  t: number;
  occupancy: number;
  day_start: number | null;
  in: number;
  out: number;
  transactions: number;
  conversion: number | null;
  doors: Record<string, DoorCounts>;
  zones: Record<string, number>;
}

/**
 * Minute and day aggregation of counted crossings: live occupancy clamped at 0, `footfall.minute` for every
 * minute once counting has started (empty minutes too: occupancy is a level, dashboards need it), and at the
 * store-empty time a `footfall.day` with the drift-corrected curve, then occupancy restarts at 0.
 * Deterministic: time comes only from the `t` arguments.
 */
export class FootfallAggregator {
  private minuteStart: number | null = null;
  private dayEnd = 0;
  private dayStart = 0;
  private occupancy = 0;
  private minute = emptyMinute();
  private dayMinutes: { t: number; in: number; out: number }[] = [];
  private dayDoors: Record<string, DoorCounts> = {};
  private dayTransactions = 0;
  private txIds = new Set<string>();
  private readonly zones: Record<string, number> = {};

  constructor(private readonly opts: AggregatorOptions) {}

  /** Close every minute (and day) that ended at or before `now`. */
  advance(now: number): StoreEvent[] {
    if (this.minuteStart === null) return [];
    const out: StoreEvent[] = [];
    while (this.minuteStart !== null && this.minuteStart + MINUTE_MS <= now) {
      out.push(this.closeMinute());
      let next: number = this.minuteStart + MINUTE_MS;
      if (now - next > MAX_BACKFILL_MINUTES * MINUTE_MS) next = Math.floor(now / MINUTE_MS) * MINUTE_MS;
      if (next >= this.dayEnd) out.push(...this.closeDay(next));
      this.minuteStart = next;
    }
    return out;
  }

  count(t: number, door: string, dir: 'in' | 'out', n: number): StoreEvent[] {
    const out = this.begin(t);
    if (n <= 0) return out;
    const d = this.minute.doors[door] ?? { in: 0, out: 0 };
    this.minute.doors[door] = d;
    const day = this.dayDoors[door] ?? { in: 0, out: 0 };
    this.dayDoors[door] = day;
    d[dir] += n;
    day[dir] += n;
    this.minute[dir] += n;
    this.occupancy = Math.max(0, this.occupancy + (dir === 'in' ? n : -n));
    return out;
  }

  /** Checkout transactions for conversion; an id already counted today is ignored. */
  transactions(t: number, n: number, id?: string): StoreEvent[] {
    const out = this.begin(t);
    if (id !== undefined) {
      if (this.txIds.has(id)) return out;
      if (this.txIds.size >= MAX_TX_IDS) this.txIds.clear();
      this.txIds.add(id);
    }
    this.minute.transactions += n;
    this.dayTransactions += n;
    return out;
  }

  zone(t: number, zone: string, count: number): StoreEvent[] {
    const out = this.begin(t);
    this.zones[zone] = count;
    return out;
  }

  currentOccupancy(): number {
    return this.occupancy;
  }

  snapshot(now: number): OccupancySnapshot {
    const doors: Record<string, DoorCounts> = {};
    for (const [id, c] of Object.entries(this.dayDoors)) doors[id] = { ...c };
    let dayIn = this.minute.in;
    let dayOut = this.minute.out;
    for (const m of this.dayMinutes) {
      dayIn += m.in;
      dayOut += m.out;
    }
    return {
      store: this.opts.store,
      t: now,
      occupancy: this.occupancy,
      day_start: this.minuteStart === null ? null : this.dayStart,
      in: dayIn,
      out: dayOut,
      transactions: this.dayTransactions,
      conversion: conversionRate(this.dayTransactions, dayIn),
      doors,
      zones: { ...this.zones },
    };
  }

  /**
   * Resume the current store day after a restart from stored minutes (ascending, all of this day):
   * occupancy, the drift-correction series and transactions continue; per-door totals restart at 0.
   */
  restore(
    minutes: readonly { t: number; in: number; out: number; transactions: number; occupancy: number }[],
    now: number,
  ): void {
    const dayStart = storeDayStart(now, this.opts.storeEmptyTime, this.opts.timeZone);
    const today = minutes.filter((m) => m.t >= dayStart && m.t < now);
    const last = today.at(-1);
    if (!last || this.minuteStart !== null) return;
    this.dayStart = dayStart;
    this.dayEnd = nextStoreDayBoundary(now, this.opts.storeEmptyTime, this.opts.timeZone);
    this.minuteStart = last.t + MINUTE_MS;
    this.occupancy = last.occupancy;
    this.dayMinutes = today.map((m) => ({ t: m.t, in: m.in, out: m.out }));
    this.dayTransactions = today.reduce((n, m) => n + m.transactions, 0);
  }

  /** True once a door or camera reading (or a restore) started the minute series. */
  started(): boolean {
    return this.minuteStart !== null;
  }

  /** Start counting minutes at `t` if not started yet, else close minutes that ended before `t`. */
  touch(t: number): StoreEvent[] {
    return this.begin(t);
  }

  private begin(t: number): StoreEvent[] {
    if (this.minuteStart === null) {
      this.minuteStart = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      this.dayStart = storeDayStart(this.minuteStart, this.opts.storeEmptyTime, this.opts.timeZone);
      this.dayEnd = nextStoreDayBoundary(this.minuteStart, this.opts.storeEmptyTime, this.opts.timeZone);
      return [];
    }
    return this.advance(t);
  }

  private closeMinute(): StoreEvent {
    const t = this.minuteStart!;
    const m = this.minute;
    this.minute = emptyMinute();
    this.dayMinutes.push({ t, in: m.in, out: m.out });
    const data: MinuteRecord = {
      store: this.opts.store,
      t,
      in: m.in,
      out: m.out,
      occupancy: this.occupancy,
      transactions: m.transactions,
      doors: m.doors,
      zones: { ...this.zones },
    };
    return {
      type: 'footfall.minute',
      t,
      stream: `footfall/${this.opts.store}`,
      dataClass: 'must_deliver',
      data: { ...data },
    };
  }

  private closeDay(nextMinute: number): StoreEvent[] {
    const { scale, corrected } = correctDrift(this.dayMinutes, this.opts.driftCorrection);
    const doors: DayRecord['doors'] = {};
    for (const [id, c] of Object.entries(this.dayDoors))
      doors[id] = { in: c.in, out: c.out, residual: c.in - c.out };
    // Store totals from the minutes (they survive a restart through restore(); door totals do not).
    let totalIn = 0;
    let totalOut = 0;
    for (const m of this.dayMinutes) {
      totalIn += m.in;
      totalOut += m.out;
    }
    const record: DayRecord = {
      store: this.opts.store,
      date: storeDayLabel(this.dayStart, this.opts.timeZone),
      day_start: this.dayStart,
      day_end: this.dayEnd,
      in: totalIn,
      out: totalOut,
      residual: totalIn - totalOut,
      correction: this.opts.driftCorrection,
      scale,
      transactions: this.dayTransactions,
      conversion: conversionRate(this.dayTransactions, totalIn),
      doors,
      minute_t0: this.dayMinutes[0]?.t ?? this.dayStart,
      corrected_occupancy: corrected,
    };
    const event: StoreEvent = {
      type: 'footfall.day',
      t: this.dayEnd,
      stream: `footfall/${this.opts.store}`,
      dataClass: 'must_deliver',
      data: { ...record },
    };
    // Nightly reset: the store is empty by definition at this time.
    this.occupancy = 0;
    this.dayMinutes = [];
    this.dayDoors = {};
    this.dayTransactions = 0;
    this.txIds = new Set();
    this.dayStart = storeDayStart(nextMinute, this.opts.storeEmptyTime, this.opts.timeZone);
    this.dayEnd = nextStoreDayBoundary(nextMinute, this.opts.storeEmptyTime, this.opts.timeZone);
    return [event];
  }
}

function emptyMinute(): { in: number; out: number; transactions: number; doors: Record<string, DoorCounts> } {
  return { in: 0, out: 0, transactions: 0, doors: {} };
}
