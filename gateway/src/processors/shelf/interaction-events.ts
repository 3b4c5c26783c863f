import type { StoreEvent, StoreEventOf } from '../../core/events.js';
import { type ExplainedRun, type ExplainedSegment, mergeSameFacing } from './explain.js';
import type { FacingState } from './facing-state.js';
import type { Option } from './hypotheses.js';
import type { PlateState } from './plate-state.js';
import { round1 } from './plate-state.js';
import { shelfEvent } from './shelf-event.js';
import { settledSteps } from './steps.js';
import type { StockTransition } from './stock.js';

/** Below this posterior share an event is reported `ambiguous` with its candidates, never as certain. */
export const CONFIDENT = 0.9;
/** Learning needs more: only clear, single explanations teach a facing its weight. */
export const LEARN_SHARE = 0.95;

/** What one interaction of a hand with the shelf becomes. */
export type InteractionEvent = StoreEventOf<'shelf.pick' | 'shelf.put' | 'shelf.change' | 'shelf.misplaced'>;

export interface EventHost {
  plate(key: string): PlateState;
  rememberPick(f: FacingState, t: number): void;
  /** A picked item of this facing came back (put back, or put on another plate): the shopper holds one less. */
  returned(f: FacingState): void;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Alarm transitions → `shelf.stock.low` / `shelf.stock.out` / `shelf.stock.ok`, on the facing's first plate. */
export function stockEvents(f: FacingState, transition: StockTransition | null, t: number): StoreEvent[] {
  if (!transition) return [];
  if (transition.to === 'ok' && transition.from === null) return [];
  const type =
    transition.to === 'out'
      ? 'shelf.stock.out'
      : transition.to === 'low'
        ? 'shelf.stock.low'
        : 'shelf.stock.ok';
  return [
    shelfEvent(type, t, f.plates[0]!.spec, {
      sku: f.spec.sku,
      facing: f.spec.id,
      stock: f.stock.count,
      capacity: f.spec.capacity,
      low_stock: f.spec.lowStock,
      previous: transition.from,
    }),
  ];
}

function candidate(o: Option, share: number) {
  const f = o.foreign?.home ?? o.facing;
  const plate = f?.plates[0]?.spec;
  return {
    sku: f?.spec.sku ?? null,
    qty: o.qty,
    confidence: r3(share),
    residualGrams: round1(o.residualGrams),
    ...(plate ? { device: plate.device, channel: plate.channel, facing: f!.spec.id } : {}),
    where: o.kind,
  };
}

/** The plate an event is reported on: the facing's plate that changed most, else the one that changed most. */
function mainPlate(seg: ExplainedSegment, f: FacingState | null, host: EventHost): PlateState {
  const byKey = new Map<string, number>();
  for (const c of seg.changes) byKey.set(c.key, (byKey.get(c.key) ?? 0) + c.delta);
  const ranked = [...byKey.entries()].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const own = f ? ranked.find(([k]) => f.plates.some((p) => p.key === k)) : undefined;
  return host.plate((own ?? ranked[0]!)[0]);
}

function spans(seg: ExplainedSegment, host: EventHost) {
  if (seg.segment.keys.length < 2) return {};
  return {
    spans: seg.segment.keys.map((k) => {
      const p = host.plate(k).spec;
      const d = seg.changes.filter((c) => c.key === k).reduce((a, c) => a + c.delta, 0);
      return { device: p.device, channel: p.channel, delta_grams: round1(d) };
    }),
  };
}

/** Grams of this segment that lie on plates outside `keep` count for `onto` instead (or for nobody). */
function reassign(
  seg: ExplainedSegment,
  host: EventHost,
  keep: (p: PlateState) => boolean,
  onto: PlateState | null,
) {
  for (const c of seg.changes) {
    const p = host.plate(c.key);
    if (keep(p)) continue;
    p.adjustGrams -= c.delta;
    if (onto) onto.adjustGrams += c.delta;
  }
}

/** Events of one explained run of plates, with the plates' and facings' bookkeeping. */
export function runEvents(
  run: ExplainedRun,
  host: EventHost,
): { events: InteractionEvent[]; touched: Set<FacingState> } {
  const touched = new Set<FacingState>();
  for (const seg of run.segments) for (const k of seg.segment.keys) touched.add(host.plate(k).facing);
  const real = mergeSameFacing(run.segments);
  if (real.length === 0) return { events: [], touched };
  // Unsure how the run splits: one ambiguous event for it when the best split is one interaction; when it is
  // several (two hands at once), one ambiguous event per interaction, so the second hand is not lost.
  if (run.partitionShare < CONFIDENT && real.length === 1) {
    return { events: [ambiguousRun(run, real, host)], touched };
  }
  const events: InteractionEvent[] = [];
  for (const seg of real) events.push(...segmentEvents(seg, run.partitionShare, host, touched));
  return { events, touched };
}

/** How the run splits into interactions is itself unclear: one event for all of it, with the candidates. */
function ambiguousRun(run: ExplainedRun, real: ExplainedSegment[], host: EventHost): InteractionEvent {
  const main = [...real].sort((a, b) => Math.abs(b.segment.delta) - Math.abs(a.segment.delta))[0]!;
  const total = run.segments.reduce((a, s) => a + s.segment.delta, 0);
  const candidates = [{ segments: run.segments, share: run.partitionShare }, ...run.alternatives]
    .flatMap((p) =>
      p.segments
        .filter((s) => s.option.kind !== 'nothing')
        .map((s) => candidate(s.option, p.share * s.share)),
    )
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, 8);
  const o = main.option;
  const f = o.foreign?.home ?? o.facing;
  const plate = mainPlate(main, f, host);
  return shelfEvent(
    f ? (total < 0 ? 'shelf.pick' : 'shelf.put') : 'shelf.change',
    main.changes[0]!.tStart,
    plate.spec,
    {
      sku: f?.spec.sku ?? null,
      qty: o.qty,
      delta_grams: round1(total),
      confidence: r3(run.partitionShare * main.share),
      ambiguous: true,
      candidates,
      ...spans(main, host),
      settled_at: Math.round(Math.max(...main.changes.map((c) => c.tSettled))),
    },
  );
}

/** Below this share a SKU a put may have been is not remembered on the plate. */
const FOREIGN_MIN_SHARE = 0.05;

/**
 * A put that is (or may be) a wrong-plate return leaves the items it may have been on its plate, each as likely
 * as its share: the reported misplaced SKU, and the wrong-plate candidates of a put reported otherwise, so a
 * later pick of that weight from this facing can still name the item when the put itself was unsure.
 */
function rememberForeign(seg: ExplainedSegment, plate: PlateState, chosen: Option | null, counted: boolean) {
  const put = {};
  const elsewhere = (x: Option) =>
    x.facing !== null &&
    (x.kind === 'neighbour' || x.kind === 'shelf' || x.kind === 'elsewhere') &&
    !x.facing.plates.some((p) => seg.segment.keys.includes(p.key));
  const candidates = seg.candidates.some((c) => c.option === chosen)
    ? seg.candidates
    : [...(chosen ? [{ option: chosen, share: seg.share }] : []), ...seg.candidates];
  for (const c of candidates) {
    const x = c.option;
    if (x !== chosen && (c.share < FOREIGN_MIN_SHARE || !elsewhere(x))) continue;
    plate.foreign.push({
      home: x.facing!,
      qty: x.qty,
      key: plate.key,
      belief: x === chosen ? 1 : c.share,
      counted,
      put,
      reported: x === chosen,
    });
  }
}

function segmentEvents(
  seg: ExplainedSegment,
  partitionShare: number,
  host: EventHost,
  touched: Set<FacingState>,
): InteractionEvent[] {
  const o = seg.option;
  const confidence = r3(partitionShare * seg.share);
  const delta = seg.segment.delta;
  const sure = confidence >= CONFIDENT;
  const doubt = sure
    ? {}
    : { ambiguous: true, candidates: seg.candidates.map((c) => candidate(c.option, c.share)) };
  const largest = [...seg.changes].sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))[0]!;
  const settledAt = Math.round(Math.max(...seg.changes.map((c) => c.tSettled)));
  if (o.kind === 'unknown' || !o.facing) {
    const plate = mainPlate(seg, null, host);
    return [
      shelfEvent('shelf.change', largest.tStart, plate.spec, {
        sku: null,
        delta_grams: round1(delta),
        confidence: 0,
        ambiguous: true,
        candidates: seg.candidates.filter((c) => c.option.facing).map((c) => candidate(c.option, c.share)),
        ...spans(seg, host),
        settled_at: settledAt,
      }),
    ];
  }
  const f = o.facing;
  touched.add(f);
  const type = delta < 0 ? 'shelf.pick' : 'shelf.put';
  if (o.kind === 'foreign' && o.foreign) {
    const item = o.foreign;
    const plate = mainPlate(seg, null, host);
    // A misplaced put's grams were kept out of the plate's count, so are its pick's; a put that was counted for
    // the plate's own SKU (its SKU unsure) gives them back the same way.
    if (!item.counted) reassign(seg, host, () => false, null);
    item.qty -= o.qty;
    const lying = host.plate(item.key);
    lying.foreign = lying.foreign.filter((x) => x.qty > 0 && (x === item || x.put !== item.put));
    const home = f.plates[0]!.spec;
    return [
      shelfEvent('shelf.pick', largest.tStart, plate.spec, {
        sku: f.spec.sku,
        qty: o.qty,
        delta_grams: round1(delta),
        confidence,
        misplaced_item: true,
        home_device: home.device,
        home_channel: home.channel,
        ...doubt,
        settled_at: settledAt,
      }),
    ];
  }
  if (delta > 0 && o.kind !== 'own') {
    // A put of a SKU whose facing did not change: a return to the wrong place, recorded on that plate.
    const plate = mainPlate(seg, null, host);
    reassign(seg, host, () => false, null);
    rememberForeign(seg, plate, o, false);
    for (let k = 0; k < o.qty; k++) host.returned(f);
    const home = f.plates[0]!.spec;
    return [
      shelfEvent('shelf.misplaced', largest.tStart, plate.spec, {
        sku: f.spec.sku,
        qty: o.qty,
        delta_grams: round1(delta),
        plate_sku: plate.spec.sku,
        home_device: home.device,
        home_channel: home.channel,
        confidence,
        candidates: seg.candidates.map((c) => candidate(c.option, c.share)),
        settled_at: settledAt,
      }),
    ];
  }
  const plate = mainPlate(seg, f, host);
  // A put reported as the plate's own SKU but not surely: the item may be another facing's, returned here.
  if (delta > 0 && !sure) rememberForeign(seg, mainPlate(seg, null, host), null, true);
  // Grams that lay on another facing's plates belonged to this item: count them for this facing.
  reassign(seg, host, (p) => p.facing === f, f.plates.includes(plate) ? plate : null);
  if (sure && partitionShare >= LEARN_SHARE && seg.share >= LEARN_SHARE && o.kind === 'own' && o.qty <= 4) {
    f.learn(Math.abs(delta), o.qty, seg.segment.sigmaDelta, settledAt);
  }
  const steps = settledSteps(seg.changes, Math.sign(delta) * o.qty, {
    unitGrams: f.weight.mean,
    // Three predicted sigmas of k units: learned spread (√k), uncertainty of the learned mean, measurement.
    allowed: (k, measured) => 3 * f.weight.predictSigma(k, measured),
  }).map((x) => {
    const p = host.plate(x.key);
    return { qty: x.qty, t: x.t, plate: f.plates.includes(p) ? p : null };
  });
  const events = steps.map((s) =>
    shelfEvent(type, s.t, (s.plate ?? plate).spec, {
      sku: f.spec.sku,
      qty: Math.abs(s.qty),
      delta_grams: round1(steps.length === 1 ? delta : s.qty * f.weight.mean),
      confidence: steps.length === 1 ? confidence : Math.min(confidence, 0.95),
      facing: f.spec.id,
      unit_grams: round1(f.weight.mean),
      ...doubt,
      ...spans(seg, host),
      ...(steps.length > 1 ? { split_of: o.qty } : {}),
      settled_at: settledAt,
    }),
  );
  if (delta < 0) for (const s of steps) host.rememberPick(f, s.t);
  else for (let k = 0; k < o.qty; k++) host.returned(f);
  return events;
}
