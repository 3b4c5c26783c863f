import type { SessionTruth } from './checkout-sessions.js';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Ground-truth scoring. An honest session with any alert is one false alarm; a dishonest act is caught when an
 * alert on its lane follows it before the session closes (+2 s). Times are read after the run: blocking for
 * alerts shifted them.
 */
export function score(truths: readonly SessionTruth[], alerts: ReadonlyArray<{ lane: string; t: number }>) {
  const byLane = new Map<string, number[]>();
  for (const a of alerts) {
    const list = byLane.get(a.lane) ?? [];
    list.push(a.t);
    byLane.set(a.lane, list);
  }
  let honest = 0;
  let falseAlarms = 0;
  let dishonest = 0;
  let misses = 0;
  let distinguishable = 0;
  let missesDistinguishable = 0;
  const detectMs: number[] = [];
  const missesByKind: Record<string, { missed: number; total: number }> = {};
  const falseByBehaviour: Record<string, { alarms: number; sessions: number }> = {};
  for (const s of truths) {
    const from = s.open.t - 2_500;
    const to = s.close.t + 2_000;
    const inSession = (byLane.get(s.lane) ?? []).filter((t) => t >= from && t <= to);
    if (!s.dishonest || !s.event) {
      honest++;
      const alarmed = inSession.length > 0;
      if (alarmed) falseAlarms++;
      if (alarmed && (process.env.CHECKOUT_BENCH_TRACE === s.lane || process.env.CHECKOUT_BENCH_DEBUG))
        console.error(`FALSE ALARM ${s.lane} at ${inSession.join(',')}`);
      for (const b of s.behaviours.size > 0 ? s.behaviours : new Set(['plain'])) {
        falseByBehaviour[b] ??= { alarms: 0, sessions: 0 };
        const row = falseByBehaviour[b]!;
        row.sessions++;
        if (alarmed) row.alarms++;
      }
      continue;
    }
    dishonest++;
    missesByKind[s.dishonest] ??= { missed: 0, total: 0 };
    const kind = missesByKind[s.dishonest]!;
    kind.total++;
    if (s.distinguishable) distinguishable++;
    const caught = inSession.find((t) => t >= s.event!.t - 100);
    if (caught === undefined) {
      misses++;
      kind.missed++;
      if (s.distinguishable) missesDistinguishable++;
    } else detectMs.push(Math.round(caught - s.event.t));
  }
  return {
    sessions: truths.length,
    honest,
    dishonest,
    falseAlarms,
    falseAlarmRate: honest ? falseAlarms / honest : 0,
    misses,
    missRate: dishonest ? misses / dishonest : 0,
    missesByKind,
    distinguishable,
    missesDistinguishable,
    missRateDistinguishable: distinguishable ? missesDistinguishable / distinguishable : 0,
    falseByBehaviour,
    detectMs,
  };
}
