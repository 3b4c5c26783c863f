import { z } from 'zod';
import { catalogSchema } from '../../core/catalog.js';

const deviceId = z.string().min(1).max(64);

/** One staff-less lane: the devices whose readings belong to it (device location.lane in the registry also maps). */
export const laneSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only')
    .describe('Lane id, used in topics (lanes/{id}/state) and event streams (lane/{id})'),
  scanner: deviceId.optional(),
  scale: deviceId.optional().describe('The bagging-area scale'),
  camera: deviceId.optional(),
  pos: deviceId.optional().describe('POS / payment terminal'),
});

/** Verification tuning; the defaults are what the bench (npm run bench:checkout) was tuned with. */
export const verificationSchema = z.strictObject({
  tolerance_factor: z
    .number()
    .positive()
    .max(10)
    .default(1.5)
    .describe(
      'Global factor on every item tolerance (catalog tolerances are often tighter than real spread)',
    ),
  default_tolerance_grams: z.number().positive().default(10).describe('When the catalog gives no tolerance'),
  default_tolerance_pct: z.number().min(0).max(50).default(3).describe('Tolerance floor as % of item weight'),
  min_weighable_grams: z.number().min(0).default(8).describe('Lighter items are weight-exempt'),
  noise_grams: z.number().min(0).default(4).describe('Stable changes this small are scale noise'),
  bag_max_grams: z
    .number()
    .min(0)
    .default(250)
    .describe(
      "Each own bag put down before the first item may weigh up to this, until the store's own bag weights were learned (never less)",
    ),
  bag_cap_grams: z
    .number()
    .min(0)
    .default(600)
    .describe(
      'The bag bound learned from landings before the first scan never exceeds this (own bags and crates weigh up to ~600 g)',
    ),
  bag_timeout_ms: z
    .number()
    .int()
    .min(1000)
    .default(12_000)
    .describe(
      "Scan → the shopper is prompted to bag the item after this (or the store's learned 95th percentile bagging time, if longer)",
    ),
  bag_escalate_ms: z
    .number()
    .int()
    .min(0)
    .default(30_000)
    .describe(
      'A prompted item still not bagged this long after the prompt is item_not_bagged (at once when the shopper scans on or pays)',
    ),
  confirm_ms: z
    .number()
    .int()
    .min(0)
    .default(1_200)
    .describe(
      'An unexplained stable weight must persist this long before an alert; a drop, or a gain with nothing pending, also needs a scan/POS event after it began or bag_timeout_ms (leaning, a resting hand)',
    ),
  motion_grace_ms: z
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe('Extra wait while the scale is in motion'),
  max_pending_items: z
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(50)
    .describe('Scanned items a lane holds unbagged at most; older ones are dropped and counted'),
  session_idle_ms: z
    .number()
    .int()
    .min(10_000)
    .default(600_000)
    .describe('An open session with no scan, POS event or weight change for this long closes by itself'),
});

export const learningSchema = z.strictObject({
  enabled: z.boolean().default(true),
  min_samples: z.number().int().min(2).default(8).describe('Learned mean/std used from this many samples'),
  outlier_mads: z
    .number()
    .positive()
    .default(4)
    .describe('Reject samples further than k·MAD from the median'),
  attendant_weight: z
    .number()
    .positive()
    .default(3)
    .describe('An attendant-verified weighing counts this much'),
  sigmas: z.number().positive().default(3).describe('Learned tolerance = sigmas × learned std'),
  max_drift_pct_per_day: z
    .number()
    .min(0)
    .max(100)
    .default(2)
    .describe(
      'A learned weight moves at most this % of its confirmed value per day; more needs an installer to confirm',
    ),
});

export const maintenanceSchema = z.strictObject({
  window_sessions: z.number().int().min(5).default(30),
  min_sessions: z.number().int().min(3).default(15),
  bias_pct: z.number().positive().default(1.5).describe('Mean relative error that flags a drifting scale'),
  noise_pct: z.number().positive().default(4).describe('RMS relative error that flags a faulty scale'),
});

/** Staff-less checkout lanes (docs/checkout.md). */
export const checkoutSection = z.strictObject({
  lanes: z
    .array(laneSchema)
    .default([])
    .superRefine((lanes, ctx) => {
      const ids = new Set<string>();
      const owner = new Map<string, string>();
      lanes.forEach((lane, i) => {
        if (ids.has(lane.id))
          ctx.addIssue({ code: 'custom', message: `duplicate lane id ${lane.id}`, path: [i, 'id'] });
        ids.add(lane.id);
        for (const role of ['scanner', 'scale', 'camera', 'pos'] as const) {
          const device = lane[role];
          if (device === undefined) continue;
          const other = owner.get(device);
          if (other !== undefined && other !== lane.id)
            ctx.addIssue({
              code: 'custom',
              message: `device ${device} is already in lane ${other}`,
              path: [i, role],
            });
          owner.set(device, lane.id);
        }
      });
    }),
  catalog: z
    .union([z.string().min(1), catalogSchema])
    .optional()
    .describe(
      'The lane catalog: a catalog JSON file (relative to the config file) or the catalog inline ({version?, items}); imported into checkout.db at start when it changed since it was last imported from the config',
    ),
  verification: verificationSchema.default(verificationSchema.parse({})),
  learning: learningSchema.default(learningSchema.parse({})),
  maintenance: maintenanceSchema.default(maintenanceSchema.parse({})),
  flush_learned_ms: z.number().int().min(100).default(5_000).describe('How often learned weights are saved'),
});

export type CheckoutConfig = z.output<typeof checkoutSection>;
export type LaneConfig = z.output<typeof laneSchema>;
export type VerificationConfig = z.output<typeof verificationSchema>;
export type LearningConfig = z.output<typeof learningSchema>;
export type MaintenanceConfig = z.output<typeof maintenanceSchema>;
