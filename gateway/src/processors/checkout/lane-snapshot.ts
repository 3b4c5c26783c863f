import type { AlertReason, LaneState, LaneView } from './lane-types.js';

/** Pending items listed in a lane state (the count is always exact). */
const STATE_PENDING = 10;

const ALERT_MESSAGES: Record<AlertReason, string> = {
  unexpected_item: 'Unexpected item in the bagging area',
  item_not_bagged: 'Please place the item in the bagging area',
  weight_mismatch: 'Item does not match the scanned product: please wait for assistance',
  item_removed: 'Please put the item back in the bagging area',
};

function message(engine: LaneView): string {
  if (engine.alert) return ALERT_MESSAGES[engine.alert.reason];
  if (engine.scaleStatus === 'over') return 'Bagging area full: please take some bags';
  if (engine.scaleStatus === 'under') return 'Bagging scale needs attention';
  const s = engine.session;
  if (!s) return 'Scan your first item to start';
  if (s.phase === 'paid') return 'Thank you: take your bags';
  if (s.phase === 'paying') return 'Please pay';
  const prompt = engine.pending.find((p) => p.promptedAt !== null && !p.alerted);
  if (prompt) return `Please place ${prompt.item?.name ?? 'the item'} in the bagging area`;
  if (engine.pending.length > 0) return 'Place the item in the bagging area';
  return 'Scan your next item';
}

/** The display's view of a lane (wire form, snake_case). */
export function laneSnapshot(engine: LaneView): LaneState {
  const s = engine.session;
  const a = engine.alert;
  const prompt = a ? undefined : engine.pending.find((p) => p.promptedAt !== null && !p.alerted);
  return {
    lane: engine.deps.lane,
    phase: s ? s.phase : 'idle',
    session: s?.id ?? null,
    message: message(engine),
    prompt: prompt
      ? {
          reason: 'place_item',
          gtin: prompt.item?.gtin ?? prompt.code,
          name: prompt.item?.name ?? null,
          since: prompt.promptedAt!,
        }
      : null,
    alert: a
      ? {
          reason: a.reason,
          raised_at: a.raisedAt,
          gtin: a.item ? (a.item.item?.gtin ?? a.item.code) : null,
          name: a.item?.item?.name ?? null,
          // What the attendant needs to judge it: how much the scale changed, and what the item should weigh.
          delta_grams: Math.round(a.deltaGrams * 10) / 10,
          expected_grams: a.item?.expectation.kind === 'weighed' ? a.item.expectation.mean : null,
          tolerance_grams: a.item?.expectation.kind === 'weighed' ? a.item.expectation.tolerance : null,
        }
      : null,
    scanned: s?.scanned ?? 0,
    verified: s?.verified ?? 0,
    // Bounded: the state is published on every change, however many items a lane holds.
    pending: engine.pending
      .slice(0, STATE_PENDING)
      .map((p) => ({ gtin: p.item?.gtin ?? p.code, name: p.item?.name ?? null })),
    pending_count: engine.pending.length,
    scale: { grams: engine.scaleGrams, status: engine.scaleStatus, noise: engine.noise.snapshot() },
    baseline_grams: engine.baseline,
    maintenance: engine.deps.health.needsMaintenance,
    updated_at: engine.updatedAt,
  };
}
