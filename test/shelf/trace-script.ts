import { eventsOf, type StoreEvent } from '../../gateway/src/core/events.js';
import type { ShelfProcessor } from '../../gateway/src/processors/shelf/shelf-processor.js';
import type { Reading } from '../../shared/src/readings.js';
import { Prng } from '../bench/shelf-prng.js';
import { checkedEvents } from '../support/event-samples.js';

export const T0 = 1_767_225_600_000;

/**
 * Hand-scripted load-cell traces for scenario tests: a level that holds, steps (with a ramp), leans, spikes
 * and drift, plus seeded noise. Seeds here are small (1–99); the benchmark uses 9000+.
 */
export class PlateScript {
  readonly samples: number[] = [];
  private level: number;
  private readonly rng: Prng;

  constructor(
    start: number,
    private readonly noise = 1,
    seed = 1,
    readonly hz = 60,
  ) {
    this.level = start;
    this.rng = new Prng(seed);
  }

  private n(ms: number): number {
    return Math.round((ms * this.hz) / 1000);
  }

  private push(v: number): void {
    this.samples.push(Math.round((v + this.rng.gauss() * this.noise) * 100) / 100);
  }

  hold(ms: number, driftPerS = 0): this {
    for (let i = 0; i < this.n(ms); i++) {
      this.level += driftPerS / this.hz;
      this.push(this.level);
    }
    return this;
  }

  /** Smooth change by `grams` over `rampMs`. */
  step(grams: number, rampMs = 150): this {
    const n = Math.max(1, this.n(rampMs));
    const from = this.level;
    for (let i = 1; i <= n; i++) this.push(from + grams * (0.5 - 0.5 * Math.cos((Math.PI * i) / n)));
    this.level = from + grams;
    return this;
  }

  /** A hand resting: up by `grams` with sway, held, then back to where it was. */
  lean(grams: number, ms: number): this {
    const base = this.level;
    this.step(grams, 150);
    for (let i = 0; i < this.n(ms); i++)
      this.push(base + grams + 0.03 * grams * Math.sin((2 * Math.PI * 2 * i) / this.hz));
    this.level = base + grams;
    return this.step(-grams, 150);
  }

  spike(grams: number): this {
    this.samples.push(this.level + grams);
    return this;
  }

  readings(device: string, channel: number, t0 = T0, batch = 12): Reading[] {
    const out: Reading[] = [];
    for (let i = 0; i < this.samples.length; i += batch) {
      const t = t0 + Math.round((i * 1000) / this.hz);
      out.push({
        type: 'shelf.weight',
        deviceId: device,
        channel,
        grams: this.samples.slice(i, i + batch),
        hz: this.hz,
        deviceTime: t,
        receivedAt: t,
        quality: 'good',
        source: 'replay',
      });
    }
    return out;
  }
}

/** Feed readings (merged by time across plates) and a tick per second, as the live pipeline does. */
export function run(processor: ShelfProcessor, ...streams: Reading[][]): StoreEvent[] {
  const all = streams.flat().sort((a, b) => a.receivedAt - b.receivedAt);
  const events: StoreEvent[] = [];
  let nextTick = (all[0]?.receivedAt ?? T0) + 1000;
  for (const r of all) {
    while (r.receivedAt >= nextTick) {
      events.push(...processor.tick(nextTick));
      nextTick += 1000;
    }
    events.push(...processor.process(r));
  }
  // Let virtual time run on after the last sample, as replay does, so open spans and pairings resolve.
  for (let i = 0; i < 10; i++, nextTick += 1000) events.push(...processor.tick(nextTick));
  return checkedEvents(events);
}

export const ofType = eventsOf;
