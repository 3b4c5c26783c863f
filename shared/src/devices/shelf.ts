import { z } from 'zod';
import { command, defineKind, reading, topic } from './define.js';
import { gaussian, type SimPlate, type Simulator, uniform } from './simulate.js';
import { grams, gramsSamples, integer } from './wire.js';

export interface ShelfWeightBody {
  type: 'shelf.weight';
  channel: number;
  /** Samples in grams, oldest first; a single sample is an array of one. */
  grams: number[];
  /** Sample rate of a batch; absent for a single sample. */
  hz?: number;
}

export const shelfWeight = reading<ShelfWeightBody>('shelf.weight', {
  summary: 'load-cell samples of one plate (channel)',
  // High-rate telemetry: a lost batch is replaced by the next one 200 ms later.
  mustDeliver: false,
});

const channel = integer(0, 63);

const shelfTopic = topic(shelfWeight, {
  wire: {
    channel,
    grams: z.union([gramsSamples(600), grams], {
      error: 'must be a number or a non-empty array of at most 600 numbers',
    }),
    hz: z
      .number({ error: 'must be a sample rate in (0, 1000]' })
      .positive({ error: 'must be a sample rate in (0, 1000]' })
      .max(1000, { error: 'must be a sample rate in (0, 1000]' })
      .optional(),
  },
  fields: {
    channel: 'channel',
    grams: {
      wire: 'grams',
      decode: (g: number | number[]) => (Array.isArray(g) ? g : [g]),
      encode: (g: number[]) => g,
    },
    hz: 'hz',
  },
  doc: '`channel` 0–63; `grams` one number or an array of 1–600 samples (oldest first); `hz` sample rate of a batch',
  example: { t: 1732262400000, channel: 3, hz: 60, grams: [1203.4, 1203.1, 1202.9] },
});

interface PlateState {
  plate: SimPlate;
  units: number;
  hand: number;
  handUntil: number;
}

/**
 * What happens at a plate when someone touches it, as units added (negative: picked). Shoppers pick one or two
 * and now and then put one back (a shelf return); a plate down to two units is restocked to capacity. Shared
 * by the MQTT shelf simulator and the serial demo rig.
 */
export function plateAction(units: number, capacity: number, random: () => number): number {
  if (units <= 2 && random() < 0.5) return capacity - units;
  if (units > 2 && random() < 0.75) return -Math.min(units, 1 + Math.floor(random() * 2));
  return units < capacity ? 1 : -1;
}

/** 60 Hz plates shipped in 12-sample batches; now and then a shopper picks, returns, or staff restock. */
const shelfSimulator: Simulator<PlateState[]> = {
  everyMs: 200,
  init: (ctx) => ({
    state: ctx.scene.plates
      .filter((p) => p.device === ctx.device.id)
      .map((plate) => ({ plate, units: plate.initial, hand: 0, handUntil: 0 })),
    publish: [],
  }),
  step(state, now, { random }) {
    const next = state.map((s) => {
      if (now <= s.handUntil || random() >= 0.004) return s;
      const units = s.units + plateAction(s.units, s.plate.capacity, random);
      return { ...s, units, hand: uniform(random, 150, 600), handUntil: now + 600 };
    });
    const publish = next.map((s) => {
      const base = 25 + s.units * s.plate.unitGrams;
      const samples = Array.from({ length: 12 }, () => {
        const touch = now < s.handUntil ? s.hand * random() : 0;
        return Math.round((base + touch + gaussian(random) * 0.8) * 10) / 10;
      });
      return {
        suffix: 'shelf',
        payload: { t: now - 200, channel: s.plate.channel, hz: 60, grams: samples },
        qos: 0 as const,
      };
    });
    return { state: next, publish };
  },
};

export const shelfKind = defineKind({
  kind: 'shelf',
  summary: 'smart shelf controller: one load cell per plate (channel), MQTT or serial',
  topics: { shelf: shelfTopic },
  readings: [shelfWeight],
  health: { intervalMs: 1_000, basis: 'data', note: 'weight samples or batches at least every second' },
  commands: {
    tare: command({
      args: z.strictObject({ channel }),
      response: z.looseObject({}),
      summary: 'zero the empty plate',
      sentBy: '`POST /api/shelves/{device}/{channel}/tare`, `storegate calibrate`',
    }),
    calibrate: command({
      args: z.strictObject({
        channel,
        known_grams: z.number({ error: 'must be grams' }).positive({ error: 'must be more than 0 g' }),
      }),
      response: z.looseObject({
        counts_per_gram: z.number({ error: 'must be a number' }).positive({ error: 'must be more than 0' }),
      }),
      summary: 'span calibration with a known weight on the plate',
      sentBy: '`POST /api/shelves/{device}/{channel}/calibrate`',
    }),
  },
  simulate: shelfSimulator,
});
