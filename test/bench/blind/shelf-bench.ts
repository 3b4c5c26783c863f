/** Runs seeds of the independent shelf generator through `storegate replay` and tabulates the scores. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { replay } from './replay-cli.js';
import { type ClassScore, f1, type ShelfEvent, type ShelfScore, ShelfScorer } from './score-shelf.js';
import { writeShelfCase } from './shelf-case.js';
import { mean, pct, worstDecile } from './stats.js';

export interface ShelfSeedResult {
  seed: number;
  score: ShelfScore;
  samples: number;
  rejected: string[];
  sensorAlarms: Map<string, number>;
  wallMs: number;
}

export async function runShelfSeed(seed: number, keep: boolean): Promise<ShelfSeedResult> {
  const dir = mkdtempSync(join(tmpdir(), `blind-shelf-${seed}-`));
  try {
    const c = writeShelfCase(seed, dir);
    const r = await replay(['--config', c.config, 'replay', ...c.inputs]);
    if (r.code !== 0)
      throw new Error(`seed ${seed}: storegate replay exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const events = r.events as unknown as ShelfEvent[];
    const sensorAlarms = new Map<string, number>();
    for (const e of r.events)
      if (e.type === 'shelf.sensor' && e.status !== 'ok')
        sensorAlarms.set(String(e.status), (sensorAlarms.get(String(e.status)) ?? 0) + 1);
    const score = new ShelfScorer(c.facingPlates).score(c.truths, events, c.disturbances);
    const rejected = r.stderr.split('\n').filter((l) => l.includes('rejected:'));
    return { seed, score, samples: c.samples, rejected, sensorAlarms, wallMs: r.wallMs };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else console.error(`shelf seed ${seed}: files kept in ${dir}`);
  }
}

function add(into: ClassScore, s: ClassScore): void {
  into.truths += s.truths;
  into.tp += s.tp;
  into.fn += s.fn;
  into.fp += s.fp;
  into.ambiguous += s.ambiguous;
}

export function shelfReport(results: readonly ShelfSeedResult[]): string {
  const perSeed = results.map((r) => f1(r.score.all));
  const total = { truths: 0, tp: 0, fn: 0, fp: 0, ambiguous: 0 };
  const classes = new Map<string, { pooled: ClassScore; perSeed: number[] }>();
  let spurious = 0;
  const sensor = new Map<string, number>();
  for (const r of results) {
    add(total, r.score.all);
    spurious += r.score.ambiguousSpurious;
    for (const [status, n] of r.sensorAlarms) sensor.set(status, (sensor.get(status) ?? 0) + n);
    for (const [name, s] of r.score.classes) {
      const row = classes.get(name) ?? {
        pooled: { truths: 0, tp: 0, fn: 0, fp: 0, ambiguous: 0 },
        perSeed: [],
      };
      add(row.pooled, s);
      if (s.truths > 0) row.perSeed.push(f1(s));
      classes.set(name, row);
    }
  }
  const table = new Table({
    style: { head: [], border: [] },
    head: ['class', 'truths', 'F1 pooled', 'F1 mean', 'F1 worst decile', 'FN', 'FP', 'ambiguous'],
  });
  table.push([
    'all',
    total.truths,
    pct(f1(total)),
    pct(mean(perSeed)),
    pct(worstDecile(perSeed, true)),
    total.fn,
    total.fp,
    total.ambiguous,
  ]);
  const sorted = [...classes.entries()].sort((a, b) => f1(a[1].pooled) - f1(b[1].pooled));
  for (const [name, row] of sorted) {
    const p = row.pooled;
    table.push([
      name,
      p.truths,
      pct(f1(p)),
      pct(mean(row.perSeed)),
      pct(worstDecile(row.perSeed, true)),
      p.fn,
      p.fp,
      p.ambiguous,
    ]);
  }
  const seeds = results.map((r) => `${r.seed}:${(100 * f1(r.score.all)).toFixed(1)}`).join(' ');
  const rejected = results.reduce((n, r) => n + r.rejected.length, 0);
  const samples = results.reduce((n, r) => n + r.samples, 0);
  return [
    `Shelves, independent generator: ${results.length} seeds, ${total.truths} interactions, ${samples.toLocaleString('en')} samples`,
    `F1 per seed: mean ${pct(mean(perSeed))}, worst decile ${pct(worstDecile(perSeed, true))}, worst ${pct(Math.min(...perSeed))}`,
    `ambiguous events: ${total.ambiguous} on interactions (${pct(total.ambiguous / Math.max(1, total.truths))} of them), ${spurious} with no interaction; sensor alarms (every plate is healthy; not ok): ${[...sensor].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; replay rejections: ${rejected}`,
    table.toString(),
    `(FP of a class: wrong events nearest to an interaction of that class; "hand resting (no item)", "vibration", "no interaction": events where nothing was picked or put)`,
    `per seed F1: ${seeds}`,
  ].join('\n');
}
