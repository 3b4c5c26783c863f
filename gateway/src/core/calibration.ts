import { z } from 'zod';
import { StoregateError } from './errors.js';

/**
 * One channel's calibration: raw device grams → true grams as (raw − zero) × scale. Kept per channel with
 * who/when/why, because noise and factors differ plate to plate and an auditor asks who calibrated what.
 */
export const calibrationRecordSchema = z.strictObject({
  device: z.string().min(1).max(64),
  channel: z.number().int().min(0).max(63),
  zero_grams: z.number().finite(),
  scale: z.number().positive().finite(),
  span_grams: z.number().positive(),
  check_grams: z.number().positive().optional(),
  linearity_error_grams: z.number().nonnegative().optional(),
  noise_grams: z.number().nonnegative(),
  calibrated_at: z.number().int(),
  installer: z.string().max(120).default(''),
  note: z.string().max(500).default(''),
});

export type CalibrationWire = z.input<typeof calibrationRecordSchema>;

export interface CalibrationRecord {
  device: string;
  channel: number;
  zeroGrams: number;
  scale: number;
  spanGrams: number;
  checkGrams?: number;
  linearityErrorGrams?: number;
  noiseGrams: number;
  calibratedAt: number;
  installer: string;
  note: string;
}

export function calibrationFromWire(raw: unknown): CalibrationRecord {
  const r = calibrationRecordSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new StoregateError('SG_BAD_ARGUMENT', `invalid calibration record: ${lines}`);
  }
  const d = r.data;
  return {
    device: d.device,
    channel: d.channel,
    zeroGrams: d.zero_grams,
    scale: d.scale,
    spanGrams: d.span_grams,
    ...(d.check_grams !== undefined ? { checkGrams: d.check_grams } : {}),
    ...(d.linearity_error_grams !== undefined ? { linearityErrorGrams: d.linearity_error_grams } : {}),
    noiseGrams: d.noise_grams,
    calibratedAt: d.calibrated_at,
    installer: d.installer,
    note: d.note,
  };
}

export function calibrationToWire(c: CalibrationRecord): CalibrationWire {
  return {
    device: c.device,
    channel: c.channel,
    zero_grams: c.zeroGrams,
    scale: c.scale,
    span_grams: c.spanGrams,
    ...(c.checkGrams !== undefined ? { check_grams: c.checkGrams } : {}),
    ...(c.linearityErrorGrams !== undefined ? { linearity_error_grams: c.linearityErrorGrams } : {}),
    noise_grams: c.noiseGrams,
    calibrated_at: c.calibratedAt,
    installer: c.installer,
    note: c.note,
  };
}

/** Mean and standard deviation of a batch of samples. */
export function meanStd(samples: readonly number[]): { mean: number; std: number } {
  if (samples.length === 0) throw new StoregateError('SG_BAD_ARGUMENT', 'no samples to measure');
  let sum = 0;
  for (const s of samples) sum += s;
  const mean = sum / samples.length;
  let sq = 0;
  for (const s of samples) sq += (s - mean) * (s - mean);
  return { mean, std: Math.sqrt(sq / samples.length) };
}

export interface CalibrationMeasurements {
  zero: readonly number[];
  span: readonly number[];
  spanGrams: number;
  check?: readonly number[];
  checkGrams?: number;
}

/** Two-point calibration from tare and span, the optional second weight giving the linearity error. */
export function computeCalibration(m: CalibrationMeasurements): {
  zeroGrams: number;
  scale: number;
  noiseGrams: number;
  linearityErrorGrams?: number;
} {
  const zero = meanStd(m.zero);
  const span = meanStd(m.span);
  const rawSpan = span.mean - zero.mean;
  if (Math.abs(rawSpan) < Math.max(1, 10 * zero.std)) {
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      'the span weight did not change the reading: is it on the plate?',
      {
        hint: 'place the known weight on the plate, wait until it is still, and measure again',
      },
    );
  }
  const scale = m.spanGrams / rawSpan;
  if (scale <= 0) {
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      'the reading went down when weight was added: load cell wired backwards?',
    );
  }
  const noiseGrams = zero.std * scale;
  if (m.check && m.checkGrams !== undefined) {
    const check = meanStd(m.check);
    const measured = (check.mean - zero.mean) * scale;
    return {
      zeroGrams: zero.mean,
      scale,
      noiseGrams,
      linearityErrorGrams: Math.abs(measured - m.checkGrams),
    };
  }
  return { zeroGrams: zero.mean, scale, noiseGrams };
}
