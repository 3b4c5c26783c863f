import { z } from 'zod';

/** Checkout lane events (stream `lane/{lane}`, all must-deliver; docs/checkout.md explains them). */
const alertReason = z.enum(['unexpected_item', 'item_not_bagged', 'weight_mismatch', 'item_removed']);
const grams = z.number().nullable();

export const laneEvents = {
  'lane.item.verified': z
    .strictObject({
      lane: z.string(),
      session: z.string(),
      gtin: z.string(),
      sku: z.string().nullable(),
      name: z.string().nullable(),
      by: z.enum(['scale', 'exempt', 'attendant']),
      measured_grams: grams,
      expected_grams: grams,
      tolerance_grams: grams,
      expected_from: z.enum(['nominal', 'learned']).nullable(),
      known: z.boolean().describe('the code is in the catalog'),
      age_restricted: z.boolean(),
      scan_to_verified_ms: z.number(),
      unverifiable: z
        .enum(['catalog_exempt', 'below_resolution', 'below_min_weighable', 'hidden_in_load'])
        .nullable()
        .describe(
          "accounted for by policy, not by weight: flagged weight_exempt in the catalog; lighter than twice this scale's noise floor; lighter than verification.min_weighable_grams; or within the noise and spread of other items weighed in the same load (null: the scale verified it, or an attendant did)",
        ),
    })
    .describe('a scanned item is accounted for'),
  'lane.alert': z
    .strictObject({
      lane: z.string(),
      session: z.string(),
      reason: alertReason,
      gtin: z.string().nullable(),
      sku: z.string().nullable(),
      expected_grams: grams,
      tolerance_grams: grams,
      delta_grams: z.number(),
      scale_grams: grams,
    })
    .describe('the lane stops and calls an attendant'),
  'lane.alert.cleared': z
    .strictObject({
      lane: z.string(),
      session: z.string(),
      reason: alertReason,
      action: z.enum(['clear', 'override', 'shopper', 'session_closed']),
      note: z.string().nullable(),
      attendant: z.string().nullable(),
      raised_at: z.number(),
      open_ms: z.number(),
    })
    .describe('an alert ended: by an attendant, by the shopper undoing it, or with the session'),
  'lane.maintenance': z
    .strictObject({
      lane: z.string(),
      reason: z.enum(['scale_drift', 'scale_noise']),
      bias_pct: z.number(),
      rms_pct: z.number(),
      sessions: z.number().int(),
    })
    .describe('the bagging scale drifts or is noisy over recent sessions'),
  'lane.session.closed': z
    .strictObject({
      lane: z.string(),
      session: z.string(),
      opened_at: z.number(),
      duration_ms: z.number(),
      paid: z.boolean(),
      transaction_id: z.string().nullable(),
      items: z.number().int(),
      verified: z.number().int(),
      exempt: z.number().int(),
      accepted_by_attendant: z.number().int(),
      unverified: z.number().int(),
      age_restricted: z.number().int(),
      alerts: z.number().int(),
      alerts_by_reason: z.record(alertReason, z.number().int()),
      clears: z.number().int(),
      overrides: z.number().int(),
      unresolved_alert: alertReason.nullable(),
      idle_timeout: z.boolean().describe('closed because the lane sat idle, not by the POS'),
      bag_grams: z.number(),
      expected_grams: z.number(),
      measured_grams: z.number(),
    })
    .describe('a shopping session ended, with its totals'),
} as const;
