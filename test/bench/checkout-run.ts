import { checkoutSection } from '../../gateway/src/config/sections/checkout.js';
import { memoryCatalog, parseCatalog, toCatalogItem } from '../../gateway/src/core/catalog.js';
import { CheckoutProcessor } from '../../gateway/src/processors/checkout/checkout-processor.js';
import { WeightLearner } from '../../gateway/src/processors/checkout/weight-learner.js';
import { FakeClock } from '../../shared/src/clock.js';
import { IntelReconcilerBaseline } from './checkout-baseline.js';
import { type BenchProduct, catalogJson, generateCatalog } from './checkout-catalog.js';
import { LaneSim } from './checkout-lane-sim.js';
import { score } from './checkout-score.js';
import { type SessionTruth, scriptSession } from './checkout-sessions.js';
import { Prng } from './shelf-prng.js';

/**
 * Bench runner for `npm run bench:checkout`: generated shopper sessions with ground truth on 20 lanes at once, through the real
 * CheckoutProcessor and, in the same run, Intel's reference reconciler rule (2 %, 5 s). Seeds 7000+ (the tests use
 * hand-written scenarios), so the engine is not tuned to what the bench generates.
 */
export const LANES = Number(process.env.CHECKOUT_BENCH_LANES ?? 20);
export const SESSIONS_PER_LANE = Number(process.env.CHECKOUT_BENCH_SESSIONS ?? 100);
export const SEED = Number(process.env.CHECKOUT_BENCH_SEED ?? 7001);
const ATTENDANT_MS = 3_000;
/** Debugging: print every reading of this lane (engine run) to stderr. */
const TRACE = process.env.CHECKOUT_BENCH_TRACE;
const START = 1_767_225_600_000;

export interface Detector {
  process(r: import('../../shared/src/readings.js').Reading): {
    alerts: Array<{ lane: string; t: number }>;
    decided: boolean;
  };
  tick(now: number): Array<{ lane: string; t: number }>;
  clear(lane: string, t: number): void;
}

export function world(seed: number) {
  const rand = new Prng(seed);
  const products = generateCatalog(rand);
  const sims: LaneSim[] = [];
  const truths: SessionTruth[] = [];
  for (let l = 0; l < LANES; l++) {
    const lane = `lane-${l + 1}`;
    const actions = [];
    let t = START + l * 1_700;
    for (let s = 0; s < SESSIONS_PER_LANE; s++) {
      const session = scriptSession(lane, t, rand, products);
      actions.push(...session.actions);
      truths.push(session.truth);
      t = session.end;
    }
    sims.push(new LaneSim(lane, actions, new Prng(seed * 31 + l), START));
  }
  return { products, sims, truths };
}

const laneOf = (deviceId: string) => deviceId.slice(0, deviceId.lastIndexOf('-'));

export function engineDetector(products: readonly BenchProduct[], clock: FakeClock): Detector {
  const lanes = Array.from({ length: LANES }, (_, i) => `lane-${i + 1}`);
  return engineOn(catalogJson(products), lanes, clock);
}

/** The real CheckoutProcessor with default configuration, on a catalog document and a set of lanes. */
export function engineOn(
  catalogDoc: unknown,
  lanes: readonly string[],
  clock: FakeClock,
  /** Every event the engine emits (case analysis, checkout-sweep-cases.ts). */
  onEvent?: (e: import('../../gateway/src/core/events.js').StoreEvent) => void,
): Detector {
  const config = checkoutSection.parse({});
  const catalog = memoryCatalog(parseCatalog(catalogDoc).items.map(toCatalogItem));
  const p = new CheckoutProcessor({
    config,
    clock,
    catalog,
    learner: new WeightLearner(config.learning),
    directory: { laneOf, lanes: () => lanes },
  });
  const alertsOf = (events: ReturnType<typeof p.process>) => {
    if (onEvent) for (const e of events) onEvent(e);
    return events
      .filter((e) => e.type === 'lane.alert')
      .map((e) => {
        if (process.env.CHECKOUT_BENCH_DEBUG) console.error(JSON.stringify({ t: e.t, ...e.data }));
        return { lane: String(e.data.lane), t: e.t };
      });
  };
  return {
    process(r) {
      const events = p.process(r);
      return {
        alerts: alertsOf(events),
        decided: events.some((e) => e.type === 'lane.alert' || e.type === 'lane.item.verified'),
      };
    },
    tick: (now) => alertsOf(p.tick(now)),
    clear: (lane, t) => void p.attendant(lane, 'clear', 'bench attendant', null, t),
  };
}

export function baselineDetector(products: readonly BenchProduct[]): Detector {
  const b = new IntelReconcilerBaseline(products, laneOf);
  return {
    process(r) {
      const lanes = b.process(r);
      return { alerts: lanes.map((lane) => ({ lane, t: r.deviceTime! })), decided: lanes.length > 0 };
    },
    tick: (now) => b.tick(now).map((lane) => ({ lane, t: now })),
    clear: (lane) => b.clear(lane),
  };
}

/** Run the 20 lanes interleaved on virtual time; an alert blocks its lane until an attendant clears it (3 s). */
export function run(name: string, make: (products: readonly BenchProduct[], clock: FakeClock) => Detector) {
  const { products, sims, truths } = world(SEED);
  const clock = new FakeClock(START);
  const detector = make(products, clock);
  const driven = drive(sims, detector, clock, START, name.startsWith('storegate') ? TRACE : undefined);
  return { name, ...score(truths, driven.alerts), ...driven };
}

/** What `drive` needs of a lane simulator (LaneSim here, SweepLane in the sweep). */
export interface LaneDriver {
  readonly lane: string;
  nextTime(): number;
  done(): boolean;
  delay(after: number, ms: number): void;
  step(): import('../../shared/src/readings.js').Reading | null;
}

/** Interleave the lanes on virtual time, tick every second, and let an attendant clear each alert after 3 s. */
export function drive(
  sims: readonly LaneDriver[],
  detector: Detector,
  clock: FakeClock,
  start: number,
  trace?: string,
) {
  const alerts: Array<{ lane: string; t: number }> = [];
  const clears: Array<{ lane: string; at: number }> = [];
  const decisionUs: number[] = [];
  const scanUs: number[] = [];
  let readings = 0;
  let nextTick = start + 1_000;
  const onAlerts = (list: Array<{ lane: string; t: number }>) => {
    for (const a of list) {
      alerts.push(a);
      sims.find((s) => s.lane === a.lane)!.delay(a.t, ATTENDANT_MS + 500);
      clears.push({ lane: a.lane, at: a.t + ATTENDANT_MS });
    }
  };
  const wall = process.hrtime.bigint();
  for (;;) {
    let sim: LaneDriver | null = null;
    for (const s of sims) if (!s.done() && (!sim || s.nextTime() < sim.nextTime())) sim = s;
    if (!sim) break;
    const t = sim.nextTime();
    while (nextTick <= t) {
      clock.advanceTo(nextTick);
      onAlerts(detector.tick(nextTick));
      nextTick += 1_000;
    }
    for (let i = clears.length - 1; i >= 0; i--) {
      if (clears[i]!.at <= t) {
        detector.clear(clears[i]!.lane, clears[i]!.at);
        clears.splice(i, 1);
      }
    }
    clock.advanceTo(t);
    const r = sim.step();
    if (!r) continue;
    readings++;
    const t0 = process.hrtime.bigint();
    const out = detector.process(r);
    if (trace && laneOf(r.deviceId) === trace) {
      const body =
        r.type === 'scale.reading'
          ? `${r.grams} ${r.status}`
          : r.type === 'scanner.scan'
            ? `scan ${r.code}`
            : r.type === 'pos.event'
              ? r.event
              : '';
      console.error(`${r.deviceTime! - start} ${body}${out.alerts.length ? ' ALERT' : ''}`);
    }
    const us = Number(process.hrtime.bigint() - t0) / 1_000;
    if (r.type === 'scanner.scan') scanUs.push(us);
    else if (r.type === 'scale.reading' && out.decided) decisionUs.push(us);
    onAlerts(out.alerts);
  }
  const wallMs = Number(process.hrtime.bigint() - wall) / 1e6;
  return { alerts, decisionUs, scanUs, readings, wallMs };
}
