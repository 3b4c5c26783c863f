import { defineKind, reading, topic } from './define.js';
import type { SimPublication, Simulator } from './simulate.js';
import { uniform } from './simulate.js';
import { counter, flag, oneOf } from './wire.js';

export interface DoorCountBody {
  type: 'door.count';
  /** Cumulative hardware counters as reported; deltas, rollover and resets are the processor's job. */
  in: number;
  out: number;
}

export interface DoorBeamBody {
  type: 'door.beam';
  beam: 'a' | 'b';
  blocked: boolean;
}

export const doorCount = reading<DoorCountBody>('door.count', {
  summary: 'cumulative in/out counters of a door counter',
  mustDeliver: true,
});

export const doorBeam = reading<DoorBeamBody>('door.beam', {
  summary: 'one transition of one beam of a dual-beam door sensor (a = outside beam)',
  mustDeliver: true,
});

const doorTopic = topic(doorCount, {
  wire: { in: counter, out: counter },
  fields: { in: 'in', out: 'out' },
  doc: 'cumulative counters `in`, `out` (integers ≥ 0; rollover and resets are handled by the gateway)',
  example: { t: 1732262400000, in: 10234, out: 10198 },
});

const beamTopic = topic(doorBeam, {
  wire: { beam: oneOf(['a', 'b']), blocked: flag },
  fields: { beam: 'beam', blocked: 'blocked' },
  doc: 'one beam transition: `beam` `a`\\|`b`, `blocked` bool',
  example: { t: 1732262400123, beam: 'a', blocked: true },
});

interface DoorSimState {
  in: number;
  out: number;
}

/**
 * Every 5 s a few people enter and leave. A door reports cumulative counters, or (variant `beams`) the raw
 * beam transitions of each crossing: a then b is an entry.
 */
const doorSimulator: Simulator<DoorSimState> = {
  everyMs: 5_000,
  init: (ctx) => {
    const entered = 1000 + Math.floor(uniform(ctx.random, 0, 500));
    return { state: { in: entered, out: entered - 3 }, publish: [] };
  },
  step(state, now, { random, device }) {
    const entries = random() < 0.7 ? Math.floor(uniform(random, 0, 4)) : 0;
    const exits = random() < 0.7 ? Math.floor(uniform(random, 0, 4)) : 0;
    if (device.variant !== 'beams') {
      const next = { in: state.in + entries, out: state.out + exits };
      return { state: next, publish: [{ suffix: 'door', payload: { t: now, ...next }, qos: 1 }] };
    }
    const publish: SimPublication[] = [];
    let t = now;
    const walk = (first: 'a' | 'b', second: 'a' | 'b') => {
      for (const [beam, blocked, dt] of [
        [first, true, 0],
        [second, true, 120],
        [first, false, 180],
        [second, false, 140],
      ] as const) {
        t += dt;
        publish.push({ suffix: 'beam', payload: { t, beam, blocked }, qos: 1 });
      }
      t += 900;
    };
    for (let i = 0; i < entries; i++) walk('a', 'b');
    for (let i = 0; i < exits; i++) walk('b', 'a');
    return { state, publish };
  },
};

export const doorKind = defineKind({
  kind: 'door',
  summary: 'door counter: cumulative counters or raw dual-beam transitions (MQTT, serial or GPIO)',
  topics: { door: doorTopic, beam: beamTopic },
  readings: [doorCount, doorBeam],
  health: { intervalMs: 60_000, basis: 'heartbeat', note: 'counts when people pass, status every 60 s' },
  commands: {},
  simulate: doorSimulator,
});
