import type { ScaleStatus } from '../../../../shared/src/readings.js';
import type { CatalogItem, CatalogView } from '../../core/catalog.js';
import type { StoreEventMap, StoreEventOf } from '../../core/events.js';
import type { BaggingTimes } from './bagging-times.js';
import type { CatalogAccuracy } from './catalog-accuracy.js';
import type { Expectation } from './expectation.js';
import type { OnScale } from './lane-contents.js';
import type { LearningOptions, VerificationOptions } from './lane-options.js';
import type { OwnBagWeights } from './own-bags.js';
import type { ScaleHealth } from './scale-health.js';
import type { ScaleNoise } from './scale-noise.js';
import type { StageTiming } from './stage-timing.js';
import type { WeightLearner } from './weight-learner.js';

export type AlertReason = 'unexpected_item' | 'item_not_bagged' | 'weight_mismatch' | 'item_removed';
export const ALERT_REASONS: readonly AlertReason[] = [
  'unexpected_item',
  'item_not_bagged',
  'weight_mismatch',
  'item_removed',
];

export type AttendantAction = 'clear' | 'override';
export type LanePhase = 'idle' | 'shopping' | 'paying' | 'paid';

/** A scanned item waiting for the bagging scale to gain its weight. */
export interface PendingItem {
  key: string;
  code: string;
  item: CatalogItem | undefined;
  expectation: Expectation;
  scannedAt: number;
  deadline: number;
  /** An item_not_bagged alert was raised for it already. */
  alerted: boolean;
  /** When the shopper was prompted to bag it (a display message, no attendant); null until its deadline. */
  promptedAt: number | null;
}

export interface OpenAlert {
  reason: AlertReason;
  raisedAt: number;
  deltaGrams: number;
  item: PendingItem | null;
  /** item_removed: what on the scale the drop matched (forgotten when an attendant accepts the removal). */
  removed?: OnScale[] | null;
}

export interface SessionTotals {
  id: string;
  openedAt: number;
  phase: Exclude<LanePhase, 'idle'>;
  bagGrams: number;
  scanned: number;
  verified: number;
  exempt: number;
  acceptedByAttendant: number;
  alerts: Record<AlertReason, number>;
  clears: number;
  overrides: number;
  expectedGrams: number;
  measuredGrams: number;
  ageRestricted: number;
  transactionId: string | null;
  /** Relative weighing errors of scale-verified items, for scale health. */
  relativeErrors: number[];
}

export interface LaneEngineDeps {
  lane: string;
  catalog: CatalogView;
  learner: WeightLearner;
  health: ScaleHealth;
  verification: VerificationOptions;
  learning: LearningOptions;
  /** How far nominal weights are off, learned across the products (shared by the lanes of a processor). */
  accuracy?: CatalogAccuracy;
  /** How long shoppers take to let go of the rest of a staged item (shared by the lanes of a processor). */
  stageTiming?: StageTiming;
  /** How heavy the shoppers' own bags are, learned before first scans (shared by the lanes of a processor). */
  ownBags?: OwnBagWeights;
  /** How long the shoppers take from scan to bagged (shared by the lanes of a processor). */
  baggingTimes?: BaggingTimes;
}

/** What the lane display sees of an engine (lane-snapshot.ts). */
export interface LaneView {
  readonly deps: LaneEngineDeps;
  readonly session: SessionTotals | null;
  readonly pending: readonly PendingItem[];
  readonly alert: OpenAlert | null;
  readonly baseline: number | null;
  readonly scaleGrams: number | null;
  readonly scaleStatus: ScaleStatus | null;
  readonly updatedAt: number;
  readonly noise: ScaleNoise;
}

/** What the lane display shows; published retained on `lanes/{id}/state` and served over HTTP/WebSocket. */
export interface LaneState {
  lane: string;
  phase: LanePhase;
  session: string | null;
  message: string;
  /**
   * The shopper is asked to bag a scanned item (slower than the store's shoppers usually are): a display prompt, not
   * an alert; it becomes an item_not_bagged alert only when the shopper moves on without bagging or ignores it.
   */
  prompt?: { reason: 'place_item'; gtin: string; name: string | null; since: number } | null;
  alert: {
    reason: AlertReason;
    raised_at: number;
    gtin: string | null;
    name: string | null;
    /** Scale change that raised it (g). */
    delta_grams: number;
    /** What the alerted item should weigh (mean ± tolerance), null when it is not weighed. */
    expected_grams: number | null;
    tolerance_grams: number | null;
  } | null;
  scanned: number;
  verified: number;
  /** The oldest pending items (at most 10); `pending_count` is all of them. */
  pending: Array<{ gtin: string; name: string | null }>;
  pending_count?: number;
  scale: {
    grams: number | null;
    status: ScaleStatus | null;
    /** The scale's learned noise (lane-noise floor, docs/checkout.md). */
    noise?: {
      sigma_grams: number | null;
      resolution_grams: number | null;
      floor_grams: number;
      samples: number;
    };
  };
  baseline_grams: number | null;
  maintenance: boolean;
  updated_at: number;
}

export type LaneEventType = Extract<keyof StoreEventMap, `lane.${string}`>;

export function laneEvent<K extends LaneEventType>(
  lane: string,
  type: K,
  t: number,
  data: Omit<StoreEventMap[K], 'lane'>,
): StoreEventOf<K> {
  const event = { type, t, stream: `lane/${lane}`, dataClass: 'must_deliver', data: { lane, ...data } };
  return event as StoreEventOf<K>;
}

export function round1(grams: number): number {
  return Math.round(grams * 10) / 10;
}
