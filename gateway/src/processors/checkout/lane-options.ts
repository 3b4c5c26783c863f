/**
 * The tuning the lane engine runs with. `config/sections/checkout.ts` validates and defaults it (its output type
 * satisfies these interfaces); replay and the benches pass the same parsed section.
 */
export interface VerificationOptions {
  tolerance_factor: number;
  default_tolerance_grams: number;
  default_tolerance_pct: number;
  min_weighable_grams: number;
  noise_grams: number;
  /** Prior own-bag bound (g), until the store's bag weights were learned (own-bags.ts); the bound never goes below it. */
  bag_max_grams: number;
  /** The learned own-bag bound never exceeds this (g). */
  bag_cap_grams: number;
  /** Scan → prompt to bag it, until the store's bagging times were learned (bagging-times.ts); never earlier. */
  bag_timeout_ms: number;
  /** A prompted item not bagged this long after the prompt (or when the shopper moves on) is item_not_bagged. */
  bag_escalate_ms: number;
  confirm_ms: number;
  motion_grace_ms: number;
  /** Scanned items a lane holds unbagged at most; older ones are dropped (counted). */
  max_pending_items: number;
  /** An open session with no scan, POS event or weight change for this long closes by itself. */
  session_idle_ms: number;
}

export interface LearningOptions {
  enabled: boolean;
  min_samples: number;
  outlier_mads: number;
  attendant_weight: number;
  sigmas: number;
  /** How far (% of the confirmed weight) a learned weight may move per day without an installer's confirmation. */
  max_drift_pct_per_day: number;
}

export interface MaintenanceOptions {
  window_sessions: number;
  min_sessions: number;
  bias_pct: number;
  noise_pct: number;
}

export interface CheckoutOptions {
  verification: VerificationOptions;
  learning: LearningOptions;
  maintenance: MaintenanceOptions;
}
