import { type Reading, type ReadingType, readingTime } from '../../../../shared/src/readings.js';
import type { StoreEvent, StoreEventMap, StoreEventOf } from '../../core/events.js';
import type { Processor } from '../../ports/pipeline.js';

export interface FridgeAlarmRule {
  deviceId: string;
  point: string;
  maxC: number;
  forMs: number;
  hysteresisC: number;
}

interface PointState {
  /** Reading time the value first went above max_c in the current excursion; null while at or below. */
  aboveSince: number | null;
  raisedAt: number | null;
  lastValue: number;
  peak: number;
}

const HANDLES: readonly ReadingType[] = ['plant.value'];

/**
 * Refrigeration over-temperature alarms. A point above `max_c` for `for_s` raises one `plant.alarm` (state
 * `raised`); it clears only once the value is at or below `max_c - hysteresis_c`, so a fridge hovering at its
 * threshold does not flap. Readings of bad quality or with a non-numeric value neither raise nor clear:
 * a dead probe is a device fault, not a temperature. Pure: time comes from readings and `tick(now)`.
 */
export class FridgeAlarmProcessor implements Processor {
  readonly name = 'plant-alarm';
  readonly handles = HANDLES;
  private readonly rules = new Map<string, FridgeAlarmRule>();
  private readonly states = new Map<string, PointState>();

  constructor(rules: readonly FridgeAlarmRule[]) {
    for (const r of rules) this.rules.set(keyOf(r.deviceId, r.point), r);
  }

  process(reading: Reading): StoreEvent[] {
    if (reading.type !== 'plant.value' || reading.quality === 'bad' || typeof reading.value !== 'number')
      return [];
    const key = keyOf(reading.deviceId, reading.point);
    const rule = this.rules.get(key);
    if (!rule) return [];
    const t = readingTime(reading);
    const v = reading.value;
    const s = this.states.get(key) ?? { aboveSince: null, raisedAt: null, lastValue: v, peak: v };
    this.states.set(key, s);
    s.lastValue = v;
    if (s.raisedAt !== null) {
      s.peak = Math.max(s.peak, v);
      if (v > rule.maxC - rule.hysteresisC) return [];
      const cleared = this.event(rule, t, v, {
        state: 'cleared',
        raised_at: s.raisedAt,
        duration_s: Math.round((t - s.raisedAt) / 1000),
        peak_c: s.peak,
        hysteresis_c: rule.hysteresisC,
      });
      s.raisedAt = null;
      s.aboveSince = null;
      return [cleared];
    }
    if (v <= rule.maxC) {
      s.aboveSince = null;
      return [];
    }
    if (s.aboveSince === null) {
      s.aboveSince = t;
      s.peak = v;
    }
    s.peak = Math.max(s.peak, v);
    return t - s.aboveSince >= rule.forMs ? [this.raise(rule, s, t)] : [];
  }

  /** OPC UA reports changes only: a fridge stuck at 9 °C sends nothing new, so the timer must fire on tick. */
  tick(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const [key, s] of this.states) {
      const rule = this.rules.get(key);
      if (!rule || s.raisedAt !== null || s.aboveSince === null) continue;
      const due = s.aboveSince + rule.forMs;
      if (now >= due) out.push(this.raise(rule, s, due));
    }
    return out;
  }

  /** Points currently in alarm, for health checks and tests. */
  active(): { deviceId: string; point: string; since: number }[] {
    const out: { deviceId: string; point: string; since: number }[] = [];
    for (const [key, s] of this.states) {
      const rule = this.rules.get(key);
      if (rule && s.raisedAt !== null)
        out.push({ deviceId: rule.deviceId, point: rule.point, since: s.raisedAt });
    }
    return out;
  }

  private raise(rule: FridgeAlarmRule, s: PointState, t: number): StoreEventOf<'plant.alarm'> {
    s.raisedAt = t;
    return this.event(rule, t, s.lastValue, {
      state: 'raised',
      above_since: s.aboveSince,
      for_s: rule.forMs / 1000,
      peak_c: s.peak,
    });
  }

  private event(
    rule: FridgeAlarmRule,
    t: number,
    value: number,
    state: RaisedExtra | ClearedExtra,
  ): StoreEventOf<'plant.alarm'> {
    const head = {
      device: rule.deviceId,
      point: rule.point,
      alarm: 'over_temperature' as const,
      value_c: value,
      max_c: rule.maxC,
    };
    return {
      type: 'plant.alarm',
      t,
      stream: `plant/${rule.deviceId}`,
      dataClass: 'must_deliver',
      data: { ...head, ...state },
    };
  }
}

type PlantAlarm = StoreEventMap['plant.alarm'];
type AlarmHead = 'device' | 'point' | 'alarm' | 'value_c' | 'max_c';
type RaisedExtra = Omit<Extract<PlantAlarm, { state: 'raised' }>, AlarmHead>;
type ClearedExtra = Omit<Extract<PlantAlarm, { state: 'cleared' }>, AlarmHead>;

function keyOf(deviceId: string, point: string): string {
  return `${deviceId}\u0000${point}`;
}
