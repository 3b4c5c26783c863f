import { z } from 'zod';

/**
 * Door and footfall events (docs/footfall.md). `door.*` are on stream `door/{device}`, `footfall.*` on
 * `footfall/{store}`; the minute and day records are also what both footfall stores keep.
 */
const counts = z.strictObject({ in: z.number().int(), out: z.number().int() });

export const minuteRecord = z.strictObject({
  store: z.string(),
  t: z.number().describe('minute start, epoch ms (also the event t)'),
  in: z.number().int(),
  out: z.number().int(),
  occupancy: z.number().int().describe('live occupancy at the end of the minute, clamped at 0'),
  transactions: z.number().int(),
  doors: z.record(z.string(), counts),
  zones: z
    .record(z.string(), z.number())
    .describe('latest camera zone counts seen during or before the minute'),
});

export const dayRecord = z.strictObject({
  store: z.string(),
  date: z.string().describe('local calendar date the store day started on (store.timezone)'),
  day_start: z.number(),
  day_end: z.number(),
  in: z.number().int(),
  out: z.number().int(),
  residual: z.number().int(),
  correction: z.enum(['exits', 'entries', 'off']),
  scale: z
    .number()
    .nullable()
    .describe('how much the corrected side was rescaled (null: nothing to rescale)'),
  transactions: z.number().int(),
  conversion: z.number().nullable(),
  doors: z.record(
    z.string(),
    z.strictObject({ in: z.number().int(), out: z.number().int(), residual: z.number().int() }),
  ),
  minute_t0: z.number().describe('start of the first minute of corrected_occupancy'),
  corrected_occupancy: z.array(z.number()),
});

const crossing = z.strictObject({
  device: z.string(),
  door: z.string(),
  count: z.number().int().min(1),
  source: z.enum(['beam', 'counter']),
  occupancy: z.number().int(),
});

export const footfallEvents = {
  'door.entry': crossing.describe('people came in (telemetry)'),
  'door.exit': crossing.describe('people went out (telemetry)'),
  'door.blocked': z
    .strictObject({ device: z.string(), door: z.string(), beam: z.enum(['a', 'b']), since: z.number() })
    .describe('a beam stayed blocked'),
  'door.unblocked': z
    .strictObject({ device: z.string(), door: z.string(), beam: z.enum(['a', 'b']), blocked_ms: z.number() })
    .describe('a blocked beam is clear again'),
  'door.counter_reset': z
    .strictObject({
      device: z.string(),
      door: z.string(),
      kind: z.enum(['reset', 'rollover']),
      in: z.number().int(),
      out: z.number().int(),
    })
    .describe('a cumulative door counter went back (telemetry)'),
  'footfall.minute': minuteRecord.describe('one closed minute of the store'),
  'footfall.day': dayRecord.describe('one closed store day, drift-corrected'),
} as const;
