import { z } from 'zod';
import { COLD_CLASSES } from '../../core/coldchain.js';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

const sampleSource = z.strictObject({
  device: id.describe('Device whose cold.sample readings are this unit (Modbus controller, env sensor)'),
  unit: id
    .optional()
    .describe('The `unit` field of its samples, when one device reports several units; omit for all'),
});

const pointsSource = z.strictObject({
  opcua: id.describe('OPC UA endpoint id (opcua.endpoints[].id)'),
  temp_point: id.describe('Point name of the air temperature'),
  door_point: id.optional(),
  defrost_point: id.optional(),
});

const unit = z.strictObject({
  id: id.describe('Unit (cabinet, room, tank) id used in alarms, the record and reports'),
  name: z.string().max(120).optional(),
  class: z.enum(COLD_CLASSES).describe('Product class: sets default limits (docs/coldchain.md)'),
  min_c: z.number().min(-60).max(60).optional().describe('Override the class lower limit'),
  max_c: z.number().min(-60).max(60).optional().describe('Override the class upper limit'),
  high_for_min: z.number().min(0).max(1440).optional(),
  low_for_min: z.number().min(0).max(1440).optional(),
  hysteresis_c: z.number().min(0).max(10).optional(),
  door_open_max_min: z.number().min(0).max(1440).optional(),
  source: z.union([sampleSource, pointsSource]),
  energy: sampleSource.optional().describe('energy.meter channel of this cabinet'),
  defrost: z
    .strictObject({
      schedule: z
        .array(hhmm)
        .max(24)
        .default([])
        .describe('Local defrost start times, for controllers that do not report a defrost bit'),
      duration_min: z.number().min(1).max(240).default(30).describe('Scheduled defrost length'),
      recovery_min: z
        .number()
        .min(0)
        .max(240)
        .default(30)
        .describe('After a defrost (bit or schedule) ends, no high alarm counts for this long'),
    })
    .default({ schedule: [], duration_min: 30, recovery_min: 30 }),
});

export const DEFAULT_CORRECTIVE_ACTIONS = [
  'Product moved to another cabinet',
  'Product checked with a probe thermometer: within limits',
  'Product discarded',
  'Door closed / load line corrected',
  'Technician called',
  'Defrost or settings corrected',
  'Sensor or probe replaced',
];

/** Cold chain: refrigerated units, their alarms, the HACCP record and its reports (docs/coldchain.md). */
export const coldchainSection = z
  .strictObject({
    units: z.array(unit).default([]),
    record_interval_s: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(300)
      .describe('HACCP record: one sample per unit at this interval'),
    retention_days: z
      .number()
      .int()
      .min(400, 'records must be kept at least 400 days (Regulation (EC) 37/2005: one year)')
      .max(36_500)
      .default(400),
    comm_loss_min: z
      .number()
      .min(1)
      .max(1440)
      .default(15)
      .describe('No reading for this long: communication loss alarm'),
    gap_min: z
      .number()
      .min(1)
      .max(1440)
      .default(10)
      .describe('Samples further apart than this leave a gap in the record'),
    defrost_max_min: z
      .number()
      .min(5)
      .max(480)
      .default(90)
      .describe('A defrost bit held longer than this stops suppressing high alarms'),
    day_close_delay_min: z
      .number()
      .min(0)
      .max(120)
      .default(20)
      .describe("A day's figures are closed this long after local midnight (late energy readings count)"),
    corrective_actions: z
      .array(z.string().min(1).max(200))
      .min(1)
      .default(DEFAULT_CORRECTIVE_ACTIONS)
      .describe('What staff may record when acknowledging an alarm'),
  })
  .superRefine((section, ctx) => {
    const seen = new Set<string>();
    section.units.forEach((u, i) => {
      if (seen.has(u.id))
        ctx.addIssue({ code: 'custom', path: ['units', i, 'id'], message: 'duplicate unit id' });
      seen.add(u.id);
    });
  });

export type ColdchainSection = z.output<typeof coldchainSection>;
export type ColdUnitConfig = ColdchainSection['units'][number];
