import { baselineDetector, engineDetector, LANES, run, SEED } from './checkout-run.js';
import { percentile } from './checkout-score.js';

/**
 * `npm run bench:checkout`: generated shopper sessions with ground truth on 20 lanes at once, through the real
 * CheckoutProcessor and, in the same run, Intel's reference reconciler rule (2 %, 5 s). Seeds 7000+ (the tests use
 * hand-written scenarios), so the engine is not tuned to what the bench generates.
 * Env: CHECKOUT_BENCH_LANES, CHECKOUT_BENCH_SESSIONS (per lane), CHECKOUT_BENCH_SEED.
 */
function fmtPct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

const results = [
  run('storegate engine', engineDetector),
  run('baseline: Intel reconciler (2 %, 5 s)', baselineDetector),
];
const first = results[0]!;
console.log(
  `checkout bench: ${LANES} lanes at once, ${first.sessions} sessions (${first.honest} honest, ${first.dishonest} with one dishonest act), seed ${SEED}, ${first.readings} readings`,
);
for (const r of results) {
  console.log(`\n${r.name}`);
  console.log(
    `  false alarms per honest session   ${fmtPct(r.falseAlarmRate)}  (${r.falseAlarms}/${r.honest}; target <= 1 %)`,
  );
  console.log(
    `  miss rate per dishonest event     ${fmtPct(r.missRate)}  (${r.misses}/${r.dishonest}; target <= 2 %)`,
  );
  console.log(
    `    by act                          ${Object.entries(r.missesByKind)
      .map(([k, v]) => `${k} ${v.missed}/${v.total}`)
      .join(', ')}`,
  );
  console.log(
    `    weight-distinguishable only     ${fmtPct(r.missRateDistinguishable)}  (${r.missesDistinguishable}/${r.distinguishable})`,
  );
  console.log(
    `  honest false alarms by behaviour  ${Object.entries(r.falseByBehaviour)
      .map(([k, v]) => `${k} ${v.alarms}/${v.sessions}`)
      .join(', ')}`,
  );
  console.log(
    `  detection delay (virtual)         p50 ${percentile(r.detectMs, 50)} ms, p99 ${percentile(r.detectMs, 99)} ms`,
  );
  console.log(
    `  latency scale stable -> decision  p50 ${percentile(r.decisionUs, 50).toFixed(1)} us, p99 ${percentile(r.decisionUs, 99).toFixed(1)} us (target p99 <= 50 ms)`,
  );
  console.log(
    `  latency scan -> expectation armed p50 ${percentile(r.scanUs, 50).toFixed(1)} us, p99 ${percentile(r.scanUs, 99).toFixed(1)} us`,
  );
  console.log(
    `  wall time                         ${r.wallMs.toFixed(0)} ms (${((r.readings / r.wallMs) * 1000).toFixed(0)} readings/s)`,
  );
}
const [e, b] = results;
console.log(
  `\nratio vs baseline: false alarms ${b!.falseAlarmRate > 0 ? (e!.falseAlarmRate / b!.falseAlarmRate).toFixed(3) : 'n/a'}x, misses ${b!.missRate > 0 ? (e!.missRate / b!.missRate).toFixed(3) : 'n/a'}x`,
);

// The sweep (issue 11 item 6): a second, independent generator with every parameter drawn per run.
const { sweepReports } = await import('./checkout-sweep.js');
console.log(`\n${sweepReports()}`);
