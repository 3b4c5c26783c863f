import type { StoreEvent } from '../../gateway/src/core/events.js';
import { FakeClock } from '../../shared/src/clock.js';
import { drive, engineOn } from './checkout-run.js';
import { buildSeed, SWEEP_START } from './checkout-sweep.js';
import type { LaneAction } from './checkout-sweep-scale.js';
import type { SweepTruth } from './checkout-sweep-shopper.js';
import { sweepCatalogJson } from './checkout-sweep-world.js';

/**
 * Case-by-case analysis of the lane sweep: for every false alarm and every missed act, what the shopper did
 * (the generator's actions around it), what the engine decided (its events) and the scale it happened on.
 * `node dist/test/bench/checkout-sweep-cases.js <first seed> <seeds> [fa|miss]`.
 */
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 1);
const only = process.argv[4];
const WINDOW_MS = 12_000;

const rel = (t: number, at: number) => `${((t - at) / 1000).toFixed(1)}s`;
function describe(a: LaneAction, at: number): string {
  switch (a.kind) {
    case 'pos':
      return `${rel(a.t, at)} pos ${a.event}`;
    case 'scan':
      return `${rel(a.t, at)} scan ${a.code.slice(-5)}`;
    case 'load':
      return `${rel(a.t, at)} load ${a.delta.toFixed(1)} g (settle ${a.settleMs} ms)`;
    case 'transient':
      return `${rel(a.t, at)} transient ${a.extra.toFixed(0)} g for ${a.ms.toFixed(0)} ms (stable ${a.stableMs.toFixed(0)} ms)`;
  }
}
function event(e: StoreEvent, at: number): string {
  const d = e.data as Record<string, unknown>;
  const g = (k: string) => (typeof d[k] === 'number' ? (d[k] as number).toFixed(1) : d[k]);
  if (e.type === 'lane.item.verified')
    return `${rel(e.t, at)} VERIFIED ${String(d.gtin).slice(-5)} by ${d.by} measured ${g('measured_grams')} exp ${g('expected_grams')}±${g('tolerance_grams')}`;
  if (e.type === 'lane.alert')
    return `${rel(e.t, at)} ALERT ${d.reason} delta ${g('delta_grams')} exp ${g('expected_grams')}±${g('tolerance_grams')} scale ${g('scale_grams')}`;
  if (e.type === 'lane.alert.cleared') return `${rel(e.t, at)} cleared (${d.action})`;
  return `${rel(e.t, at)} ${e.type}`;
}

for (let seed = first; seed < first + count; seed++) {
  const { world, sims, truths, actions } = buildSeed(seed);
  const clock = new FakeClock(SWEEP_START);
  const events: StoreEvent[] = [];
  const detector = engineOn(
    sweepCatalogJson(world.products),
    sims.map((s) => s.lane),
    clock,
    (e) => events.push(e),
  );
  drive(sims, detector, clock, SWEEP_START);
  const byLane = new Map<string, SweepTruth[]>();
  for (const s of truths) byLane.set(s.lane, [...(byLane.get(s.lane) ?? []), s]);
  const ownerOf = (lane: string, t: number) => {
    let owner: SweepTruth | undefined;
    for (const s of byLane.get(lane) ?? []) if (s.open.t - 2_500 <= t) owner = s;
    return owner;
  };
  const laneEvents = (lane: string) => events.filter((e) => (e.data as { lane: string }).lane === lane);
  const scaleOf = (lane: string) => {
    const s = world.scales[Number(lane.split('-')[1]) - 1]!;
    return `σ ${s.sigma.toFixed(2)} d ${s.resolution} ${s.hz.toFixed(1)} Hz wander ${s.wander.toFixed(1)} creep ${(100 * s.creep).toFixed(2)} % flicker ${(100 * s.flicker).toFixed(0)} %`;
  };
  const print = (title: string, lane: string, at: number, from: number, until: number) => {
    console.log(`\n### seed ${seed} ${lane} ${title}  [${scaleOf(lane)}] at ${at - SWEEP_START}`);
    const lines: Array<[number, string]> = [];
    for (const a of actions.get(lane) ?? [])
      if (a.t >= from && a.t <= until) lines.push([a.t, `  ${describe(a, at)}`]);
    for (const e of laneEvents(lane))
      if (e.t >= from && e.t <= until && e.type !== 'lane.session.closed')
        lines.push([e.t + 0.5, `  > ${event(e, at)}`]);
    for (const [, l] of lines.sort((x, y) => x[0] - y[0])) console.log(l);
  };
  for (const e of events) {
    if (e.type !== 'lane.alert' || only === 'miss') continue;
    const lane = String(e.data.lane);
    const s = ownerOf(lane, e.t);
    if (!s || (s.event && e.t >= s.event.t - 100)) continue;
    print(`FALSE ${e.data.reason} {${[...s.classes].join(',')}}`, lane, e.t, e.t - WINDOW_MS, e.t + 1_000);
  }
  if (only === 'fa') continue;
  for (const s of truths) {
    if (!s.act || !s.event || !s.physical) continue;
    const alerts = laneEvents(s.lane).filter(
      (e) => e.type === 'lane.alert' && e.t >= s.event!.t - 100 && e.t <= s.close.t + 2_000,
    );
    if (alerts.length > 0) continue;
    print(`MISSED ${s.act}`, s.lane, s.event.t, s.event.t - 4_000, Math.min(s.close.t, s.event.t + 20_000));
  }
}
