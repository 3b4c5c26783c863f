import { type ColdAlarmKind, coldAlarmId } from '../../core/coldchain.js';
import type { ColdAlarmData } from '../../core/coldchain-events.js';
import type { StoreEvent } from '../../core/events.js';
import type { ColdUnitOptions } from './options.js';

/** One alarm of one unit: a condition that must last `forMs` before it is raised, and ends when it clears. */
export class AlarmTracker {
  /** When the condition began; null while it does not hold. */
  since: number | null = null;
  raisedAt: number | null = null;
  peak: number | null = null;
  value: number | null = null;

  constructor(
    private readonly unit: ColdUnitOptions,
    readonly kind: ColdAlarmKind,
    readonly forMs: number,
    private readonly limitC: number | null,
    private readonly onRaise: () => void,
  ) {}

  get raised(): boolean {
    return this.raisedAt !== null;
  }

  /** The condition holds at `t` (value: the temperature, for peaks). Returns the raise, if now due. */
  holds(t: number, value: number | null, colder = false): StoreEvent | null {
    if (this.since === null) {
      this.since = t;
      this.peak = value;
    }
    this.note(value, colder);
    return this.due(t);
  }

  note(value: number | null, colder = false): void {
    this.value = value;
    if (value === null) return;
    if (this.peak === null || (colder ? value < this.peak : value > this.peak)) this.peak = value;
  }

  /** The raise event if the condition has lasted `forMs` by `now` (stamped at the moment it became due). */
  due(now: number): StoreEvent | null {
    if (this.since === null || this.raisedAt !== null) return null;
    const at = this.since + this.forMs;
    if (now < at) return null;
    this.raisedAt = at;
    this.onRaise();
    return this.event('raised', at, null);
  }

  /** The condition stopped holding before the alarm was raised: forget it. */
  reset(): void {
    if (this.raisedAt === null) {
      this.since = null;
      this.peak = null;
    }
  }

  /** The condition ended at `t`: the clear event if the alarm was raised. */
  clear(t: number, value: number | null = this.value): StoreEvent | null {
    const wasRaised = this.raisedAt !== null;
    this.value = value;
    const event = wasRaised ? this.event('cleared', this.raisedAt!, t) : null;
    this.since = null;
    this.raisedAt = null;
    this.peak = null;
    return event;
  }

  /** The open alarm's data as if raised now, for status pages. */
  snapshot(): ColdAlarmData | null {
    return this.raisedAt === null ? null : (this.event('raised', this.raisedAt, null).data as ColdAlarmData);
  }

  private event(state: 'raised' | 'cleared', raisedAt: number, endedAt: number | null): StoreEvent {
    const startedAt = this.since ?? raisedAt;
    const data: ColdAlarmData = {
      id: coldAlarmId(this.unit.id, this.kind, startedAt),
      unit: this.unit.id,
      class: this.unit.cls,
      alarm: this.kind,
      state,
      started_at: startedAt,
      raised_at: raisedAt,
      ended_at: endedAt,
      limit_c: this.limitC,
      for_s: this.forMs / 1000,
      value_c: this.value,
      peak_c: this.peak,
      duration_s: endedAt === null ? null : Math.round((endedAt - startedAt) / 1000),
      source: sourceLabel(this.unit),
    };
    return {
      type: 'coldchain.alarm',
      t: endedAt ?? raisedAt,
      stream: `coldchain/${this.unit.id}`,
      dataClass: 'must_deliver',
      data,
    };
  }
}

export function sourceLabel(unit: ColdUnitOptions): string {
  const s = unit.source;
  if (s.kind === 'points') return `${s.device}/${s.temp}`;
  return s.unit === null ? s.device : `${s.device}/${s.unit}`;
}
