import { z } from 'zod';

/** Smart shelves (shelves issue): planogram seed file, detection tuning and sensor-health limits. */
const detection = z.strictObject({
  settle_ms: z
    .number()
    .int()
    .min(100)
    .max(5_000)
    .default(450)
    .describe('Stable this long before an event closes'),
  hold_ms: z
    .number()
    .int()
    .min(0)
    .max(30_000)
    .default(2_500)
    .describe('Extra wait when a delta is not yet explained (hand resting, neighbour plate busy)'),
  trigger_sigma: z.number().min(2).max(50).default(5).describe('Activity threshold in noise sigmas'),
  min_trigger_grams: z.number().min(0.5).max(1_000).default(5),
  max_drift_grams_per_min: z
    .number()
    .min(0)
    .max(100)
    .default(3)
    .describe('Auto-zero may follow a stable signal at most this fast'),
});

const health = z.strictObject({
  silent_ms: z.number().int().min(500).default(5_000),
  stuck_ms: z.number().int().min(500).default(3_000),
  saturation_grams: z.number().positive().default(20_000).describe('Plate rating: at or above is saturated'),
  noisy_factor: z.number().min(1).default(4).describe('Noisy above this × the calibrated noise floor'),
  noisy_grams: z.number().positive().default(25).describe('Noisy above this sigma when uncalibrated'),
});

export const shelvesSection = z.strictObject({
  planogram: z
    .string()
    .optional()
    .describe(
      'Planogram JSON imported into shelves.db at start when it differs (relative to the config file)',
    ),
  sample_hz: z.number().positive().max(1000).default(60).describe('Rate of single-sample readings'),
  default_noise_grams: z
    .number()
    .positive()
    .default(2)
    .describe('Noise sigma assumed for an uncalibrated channel until measured'),
  misplaced_memory_ms: z
    .number()
    .int()
    .min(0)
    .default(30 * 60_000),
  detection: detection.default(detection.parse({})),
  health: health.default(health.parse({})),
});
