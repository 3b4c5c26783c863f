/** Runs seeds of the independent lane generator through `storegate replay` and tabulates the scores. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { writeLaneCase } from './lane-case.js';
import { Rng } from './prng.js';
import { replay } from './replay-cli.js';
import { type LaneAlert, type LaneScore, scoreLanes } from './score-lane.js';
import { mean, pct, worstDecile } from './stats.js';

export interface LaneSeedResult {
  seed: number;
  score: LaneScore;
  rejected: string[];
  unclosed: number;
  wallMs: number;
  passes: number;
  attendantClears: number;
}

/**
 * The replay is open loop, but a real lane is not: an alert stops the lane until an attendant clears it, and
 * acts after an uncleared alert would go unseen. So an attendant comes: every alert still open after a delay
 * (10–30 s, drawn per alert) gets a `clear` line, and the lane is replayed again with them, until no open
 * alert is left without an attendant (at most `MAX_PASSES` replays). The last replay is scored.
 */
const MAX_PASSES = 3;

export async function runLaneSeed(seed: number, keep: boolean): Promise<LaneSeedResult> {
  const dir = mkdtempSync(join(tmpdir(), `blind-lane-${seed}-`));
  try {
    const c = writeLaneCase(seed, dir, 6, 12);
    const rng = new Rng(seed * 31 + 5);
    const clears = new Map<string, { t: number; lane: string }>();
    const attendantFile = join(dir, 'attendant.ndjson');
    let wallMs = 0;
    let passes = 0;
    let events: Record<string, unknown>[] = [];
    let stderr = '';
    while (true) {
      passes++;
      const lines = [...clears.values()].sort((a, b) => a.t - b.t);
      writeFileSync(
        attendantFile,
        lines
          .map((l) =>
            JSON.stringify({
              t: l.t,
              lane: l.lane,
              attendant: 'clear',
              note: 'checked by the bench attendant',
              by: 'blind',
            }),
          )
          .join('\n'),
      );
      const r = await replay([
        '--config',
        c.config,
        'replay',
        '--catalog',
        c.catalog,
        ...c.inputs,
        attendantFile,
      ]);
      if (r.code !== 0)
        throw new Error(`seed ${seed}: storegate replay exited ${r.code}: ${r.stderr.slice(-2000)}`);
      wallMs += r.wallMs;
      events = r.events;
      stderr = r.stderr;
      let added = 0;
      const clearedAt = new Map<string, number>();
      for (const e of events)
        if (e.type === 'lane.alert.cleared') clearedAt.set(`${e.lane}@${e.raised_at}`, e.t as number);
      for (const e of events) {
        if (e.type !== 'lane.alert') continue;
        const key = `${e.lane}@${e.t}`;
        if (clears.has(key)) continue;
        const t = (e.t as number) + Math.round(rng.uniform(10_000, 30_000));
        if ((clearedAt.get(key) ?? Number.POSITIVE_INFINITY) <= t) continue;
        clears.set(key, { t, lane: e.lane as string });
        added++;
      }
      if (added === 0 || passes >= MAX_PASSES) break;
    }
    const alerts = events.filter((e) => e.type === 'lane.alert') as unknown as LaneAlert[];
    const closed = events.filter((e) => e.type === 'lane.session.closed').length;
    const rejected = stderr.split('\n').filter((l) => l.includes('rejected:'));
    return {
      seed,
      score: scoreLanes(c.sessions, alerts),
      rejected,
      unclosed: c.sessions.length - closed,
      wallMs,
      passes,
      attendantClears: clears.size,
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else console.error(`lane seed ${seed}: files kept in ${dir}`);
  }
}

const per100 = (n: number, d: number) => (d === 0 ? Number.NaN : (100 * n) / d);
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

export function laneReport(results: readonly LaneSeedResult[]): string {
  const fa = results.map((r) => per100(r.score.falseAlarms, r.score.honest));
  const miss = results.map((r) => r.score.missed / Math.max(1, r.score.acts));
  const missVisible = results.map((r) => r.score.visibleMissed / Math.max(1, r.score.visibleActs));
  const sum = (f: (s: LaneScore) => number) => results.reduce((n, r) => n + f(r.score), 0);
  const tags = new Map<string, { sessions: number; falseAlarms: number }>();
  const acts = new Map<string, { acts: number; missed: number; visible: number; visibleMissed: number }>();
  const reasons = new Map<string, number>();
  const causes = new Map<string, number>();
  for (const r of results) {
    for (const [tag, row] of r.score.byTag) {
      const t = tags.get(tag) ?? { sessions: 0, falseAlarms: 0 };
      t.sessions += row.sessions;
      t.falseAlarms += row.falseAlarms;
      tags.set(tag, t);
    }
    for (const [kind, row] of r.score.byAct) {
      const a = acts.get(kind) ?? { acts: 0, missed: 0, visible: 0, visibleMissed: 0 };
      a.acts += row.acts;
      a.missed += row.missed;
      a.visible += row.visible;
      a.visibleMissed += row.visibleMissed;
      acts.set(kind, a);
    }
    for (const [reason, n] of r.score.falseReasons) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
    for (const [cause, n] of r.score.falseCauses) causes.set(cause, (causes.get(cause) ?? 0) + n);
  }
  const honestTable = new Table({
    style: { head: [], border: [] },
    head: ['honest sessions with', 'sessions', 'false alarms per 100'],
  });
  for (const [tag, t] of [...tags].sort(
    (a, b) => per100(b[1].falseAlarms, b[1].sessions) - per100(a[1].falseAlarms, a[1].sessions),
  )) {
    honestTable.push([tag, t.sessions, fmt(per100(t.falseAlarms, t.sessions))]);
  }
  const actTable = new Table({
    style: { head: [], border: [] },
    head: ['act', 'acts', 'missed', 'visible acts', 'visible missed'],
  });
  for (const [kind, a] of acts)
    actTable.push([
      kind,
      a.acts,
      pct(a.missed / a.acts),
      a.visible,
      pct(a.visibleMissed / Math.max(1, a.visible)),
    ]);
  const honest = sum((s) => s.honest);
  const causeTable = new Table({
    style: { head: [], border: [] },
    head: ['false alarm: first alert after', 'per 100 honest sessions'],
  });
  for (const [cause, n] of [...causes].sort((a, b) => b[1] - a[1]).slice(0, 12))
    causeTable.push([cause, fmt(per100(n, honest))]);
  const reasonText = [...reasons].map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `Lanes, independent generator: ${results.length} seeds, ${sum((s) => s.honest)} honest sessions, ${sum((s) => s.acts)} dishonest acts (${sum((s) => s.visibleActs)} physically visible)`,
    `false alarms per 100 honest sessions: pooled ${fmt(
      per100(
        sum((s) => s.falseAlarms),
        sum((s) => s.honest),
      ),
    )}, per seed mean ${fmt(mean(fa))}, worst decile ${fmt(worstDecile(fa, false))}`,
    `missed acts: pooled ${pct(
      sum((s) => s.missed) /
        Math.max(
          1,
          sum((s) => s.acts),
        ),
    )}, per seed mean ${pct(mean(miss))}, worst decile ${pct(worstDecile(miss, false))}`,
    `missed visible acts: pooled ${pct(
      sum((s) => s.visibleMissed) /
        Math.max(
          1,
          sum((s) => s.visibleActs),
        ),
    )}, per seed mean ${pct(mean(missVisible))}, worst decile ${pct(worstDecile(missVisible, false))}`,
    `alarms before the act in dishonest sessions: ${sum((s) => s.earlyAlarms)}; first alert reason of false alarms: ${reasonText || 'none'}`,
    `sessions without lane.session.closed: ${results.reduce((n, r) => n + r.unclosed, 0)}; replay rejections: ${results.reduce((n, r) => n + r.rejected.length, 0)}; attendant clears ${results.reduce((n, r) => n + r.attendantClears, 0)} (replays per seed: ${results.map((r) => r.passes).join(',')})`,
    honestTable.toString(),
    causeTable.toString(),
    actTable.toString(),
    `per seed (false alarms per 100 / missed %): ${results.map((r, i) => `${r.seed}:${fmt(fa[i] ?? Number.NaN)}/${fmt(100 * (miss[i] ?? Number.NaN))}`).join(' ')}`,
  ].join('\n');
}
