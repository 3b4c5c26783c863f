import { z } from 'zod';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** A dual-beam door counter wired to two GPIO lines (beam `a` is the outside beam). */
const gpioDoor = z.strictObject({
  chip: z.string().default('gpiochip0').describe('GPIO chip (gpiod) — ignored by onoff'),
  pin_a: z.number().int().min(0).max(1023).describe('Line offset of the outside beam'),
  pin_b: z.number().int().min(0).max(1023).describe('Line offset of the inside beam'),
  active_low: z.boolean().default(true).describe('IR receivers usually pull low while the beam is intact'),
});

const door = z.strictObject({
  id: id.describe('Device id; also the `door` tag in InfluxDB'),
  name: z.string().max(120).optional(),
  gpio: gpioDoor.optional(),
});

const influx = z.strictObject({
  url: z.url().describe('InfluxDB 1.x HTTP endpoint, e.g. http://127.0.0.1:8086'),
  database: z.string().min(1).default('storegate'),
  username: z.string().optional(),
  password: z.string().optional(),
  precision: z.enum(['s', 'ms']).default('ms'),
  retention: z
    .string()
    .regex(/^(\d+[hdw]|INF)$/, 'an InfluxQL duration like 30d, 12w or INF')
    .default('30d')
    .describe('Retention of minute points'),
  rollup_retention: z
    .string()
    .regex(/^(\d+[hdw]|INF)$/, 'an InfluxQL duration like 30d, 12w or INF')
    .default('400d')
    .describe('Retention of the hourly continuous-query rollups'),
  batch_size: z.number().int().min(1).max(50_000).default(5_000),
  flush_interval_ms: z.number().int().min(10).max(60_000).default(1_000),
  max_buffered_points: z
    .number()
    .int()
    .min(100)
    .default(1_000_000)
    .describe('Disk buffer bound while InfluxDB is down; oldest dropped (counted) beyond it'),
  timeout_ms: z.number().int().min(100).default(10_000),
});

/** Footfall and occupancy (footfall issue). */
export const footfallSection = z
  .strictObject({
    enabled: z.boolean().default(true),
    store_empty_time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
      .default('03:00')
      .describe('Local time (store.timezone) when the store is empty: occupancy resets, the day closes'),
    drift_correction: z
      .enum(['exits', 'entries', 'off'])
      .default('exits')
      .describe('Which side is rescaled at day close so the day ends at occupancy 0'),
    entries_from: z
      .enum(['all', 'doors', 'cameras'])
      .default('all')
      .describe(
        'Which counters count entries and exits: door counters (beams, cumulative counters), camera lines, or both (when they watch different doorways); a doorway watched by both would be counted twice',
      ),
    debounce_ms: z.number().int().min(0).max(1_000).default(30),
    blocked_alarm_ms: z.number().int().min(1_000).default(30_000),
    transaction_events: z
      .array(z.enum(['transaction', 'payment-success', 'lane.session.closed']))
      .default(['transaction', 'payment-success', 'lane.session.closed'])
      .describe('What counts as a checkout transaction for conversion (deduplicated by transaction id)'),
    gpio_driver: z.enum(['gpiod', 'onoff']).default('gpiod'),
    doors: z.array(door).default([]),
    rollup_days: z.number().int().min(1).max(3_650).default(400),
    influx: influx.optional(),
  })
  .superRefine((f, ctx) => {
    const ids = new Set<string>();
    const lines = new Map<string, string>();
    f.doors.forEach((d, i) => {
      if (ids.has(d.id))
        ctx.addIssue({ code: 'custom', path: ['doors', i, 'id'], message: `duplicate door id "${d.id}"` });
      ids.add(d.id);
      if (!d.gpio) return;
      for (const [key, pin] of [
        ['pin_a', d.gpio.pin_a],
        ['pin_b', d.gpio.pin_b],
      ] as const) {
        const line = `${d.gpio.chip}:${pin}`;
        const owner = lines.get(line);
        if (owner)
          ctx.addIssue({
            code: 'custom',
            path: ['doors', i, 'gpio', key],
            message: `GPIO ${line} is already used by ${owner}`,
          });
        lines.set(line, `doors[${i}].gpio.${key}`);
      }
    });
  });

export type FootfallConfig = z.output<typeof footfallSection>;
export type InfluxConfig = z.output<typeof influx>;
