/**
 * The demo simulator hook of a device kind (`npm run demo`). A simulator is pure: it gets its state, the time
 * and an injected random source, and returns the payloads to publish and its next state; the demo runner does
 * the MQTT and the timers. The same hook therefore runs in a unit test with a seeded random source.
 */

export interface SimDevice {
  id: string;
  /** Where the device is installed (the registry's location fields). */
  location: Readonly<Partial<Record<'zone' | 'aisle' | 'fixture' | 'shelf' | 'lane' | 'door', string>>>;
  /** A kind's alternative behaviour, e.g. a door that reports raw beams instead of counters. */
  variant?: string;
}

export interface SimPlate {
  device: string;
  channel: number;
  unitGrams: number;
  capacity: number;
  /** Units on the plate when the demo starts. */
  initial: number;
}

export interface SimItem {
  gtin: string;
  grams: number;
}

/** What the simulated store holds; shared by every device so lane devices can act out the same session. */
export interface SimScene {
  startedAt: number;
  plates: readonly SimPlate[];
  catalog: readonly SimItem[];
}

export interface SimContext {
  device: SimDevice;
  scene: SimScene;
  /** Uniform in [0, 1). */
  random: () => number;
}

export interface SimPublication {
  /** Topic suffix under `devices/{id}/`. */
  suffix: string;
  payload: Record<string, unknown>;
  qos: 0 | 1;
}

export interface SimStep<S> {
  state: S;
  publish: SimPublication[];
}

export interface Simulator<S> {
  /** How often `step` runs. */
  everyMs: number;
  /** The state at start and what the device publishes as soon as it is connected. */
  init(ctx: SimContext, now: number): SimStep<S>;
  step(state: S, now: number, ctx: SimContext): SimStep<S>;
}

export const uniform = (random: () => number, min: number, max: number) => min + random() * (max - min);

/** Standard normal (Box–Muller). */
export const gaussian = (random: () => number) =>
  Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());

/** A small seeded PRNG (mulberry32): lane devices replay the same shopper session from the same seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function hashString(s: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16_777_619);
  return h >>> 0;
}
