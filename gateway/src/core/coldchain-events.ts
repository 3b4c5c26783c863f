import { z } from 'zod';
import { COLD_ALARMS, COLD_CLASSES } from './coldchain.js';

/**
 * Events of the cold chain and the HACCP record (docs/coldchain.md): the `data` schema of each type, exported
 * to docs/schemas/ and checked against what the processor and the feature emit (test/coldchain/).
 */

const ms = z.number().describe('epoch milliseconds');
const unit = z.string().min(1).max(64);
const celsius = z.number().describe('°C');

/** `coldchain.alarm` (must-deliver, stream `coldchain/{unit}`): one state change of one alarm. */
export const coldAlarmData = z.strictObject({
  id: z.string().describe('unit:alarm:started_at, the same on raised and cleared; what staff acknowledge'),
  unit,
  class: z.enum(COLD_CLASSES),
  alarm: z.enum(COLD_ALARMS),
  state: z.enum(['raised', 'cleared']),
  started_at: ms.describe(
    'when the condition began (the excursion, the door opening, the last sample heard)',
  ),
  raised_at: ms,
  ended_at: ms.nullable().describe('when the condition ended; null while raised'),
  limit_c: celsius.nullable().describe('max_c (high) or min_c (low); null for other alarms'),
  for_s: z.number().describe('how long the condition had to last before the alarm'),
  value_c: celsius.nullable().describe('last temperature when the state changed'),
  peak_c: celsius.nullable().describe('warmest (high) or coldest (low) temperature since started_at'),
  duration_s: z.number().nullable().describe('ended_at - started_at, when cleared'),
  source: z.string().describe('device (and point) the unit is read from'),
});

/** `coldchain.sample` (telemetry, stream `coldchain/{unit}`): the HACCP record's sample at the fixed interval. */
export const coldSampleData = z.strictObject({
  unit,
  class: z.enum(COLD_CLASSES),
  status: z.enum(['ok', 'no_data', 'probe_fault']),
  temp_c: celsius.nullable(),
  humidity_pct: z.number().nullable(),
  door_open: z.boolean().nullable(),
  defrost: z.boolean().describe('in a defrost cycle or its recovery window'),
  in_range: z.boolean().nullable(),
  sampled_at: ms.nullable().describe('time of the reading this sample holds'),
});

/** `coldchain.gap` (must-deliver): no sample from a unit for at least `coldchain.gap_s`. */
export const coldGapData = z.strictObject({ unit, from: ms, to: ms, duration_s: z.number() });

const dayUnit = z.strictObject({
  unit,
  class: z.enum(COLD_CLASSES),
  min_limit_c: celsius.nullable(),
  max_limit_c: celsius.nullable(),
  min_c: celsius.nullable(),
  max_c: celsius.nullable(),
  mean_c: celsius.nullable().describe('time-weighted over covered time'),
  covered_minutes: z.number().describe('time with a current sample (not in a gap)'),
  minutes_out_of_range: z.number().describe('outside the limits, defrost and recovery excluded'),
  minutes_high: z.number(),
  minutes_low: z.number(),
  defrosts: z.number().int(),
  defrost_minutes: z.number(),
  door_openings: z.number().int(),
  door_open_minutes: z.number(),
  gap_minutes: z.number(),
  gaps: z.array(z.strictObject({ from: ms, to: ms })),
  kwh: z.number().nullable().describe('energy meter delta over the day; null without a meter'),
  meter_resets: z.number().int(),
  alarms: z.number().int().describe('alarms raised this day'),
});

/** `coldchain.day` (must-deliver, stream `coldchain/day`): every unit's figures for one store day. */
export const coldDayData = z.strictObject({
  store: z.string(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  day_start: ms,
  day_end: ms,
  units: z.array(dayUnit),
});

/** `coldchain.ack` (must-deliver): staff acknowledged an alarm with a corrective action. */
export const coldAckData = z.strictObject({
  alarm_id: z.string(),
  unit,
  action: z.string().min(1).max(200),
  note: z.string().max(1000).nullable(),
  by: z.string().nullable().describe('the authenticated identity, when the API knows one'),
  at: ms,
});

const reportAlarm = coldAlarmData.omit({ state: true }).extend({
  acks: z.array(coldAckData.omit({ alarm_id: true, unit: true })),
});

/** `haccp.report` (must-deliver, stream `haccp/report`): the daily compliance report of the store. */
export const haccpReportData = z.strictObject({
  store: z.string(),
  day: z.string(),
  generated_at: ms,
  units: z.array(dayUnit.extend({ alarm_list: z.array(reportAlarm) })),
  chain_heads: z.array(z.strictObject({ unit: z.string(), seq: z.number().int(), hash: z.string() })),
});

export type ColdAlarmData = z.output<typeof coldAlarmData>;
export type ColdSampleData = z.output<typeof coldSampleData>;
export type ColdGapData = z.output<typeof coldGapData>;
export type ColdDayData = z.output<typeof coldDayData>;
export type ColdDayUnit = ColdDayData['units'][number];
export type ColdAckData = z.output<typeof coldAckData>;
export type HaccpReportData = z.output<typeof haccpReportData>;

export const coldchainEventData = {
  'coldchain.alarm': coldAlarmData,
  'coldchain.sample': coldSampleData,
  'coldchain.gap': coldGapData,
  'coldchain.day': coldDayData,
  'coldchain.ack': coldAckData,
  'haccp.report': haccpReportData,
} as const;
