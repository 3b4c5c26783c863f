import { eventsOf, type StoreEvent } from '../../gateway/src/core/events.js';
import type { SweepScore } from './shelf-sweep-score.js';
import type { SweepTrace, SweepTruth } from './shelf-sweep-trace.js';

/** Tags that say what kind of interaction a truth event was (the others say how the items lay). */
const KINDS = [
  'rapid',
  'multi',
  'misplaced',
  'misplaced-pick',
  'hand-rest',
  'simultaneous',
  'slow-put',
  'put',
  'pick',
];

type Emitted = ReturnType<
  typeof eventsOf<'shelf.pick' | 'shelf.put' | 'shelf.misplaced' | 'shelf.change'>
>[number];

/** What an emitted event was, in a few words: type, SKU × qty, and why it was not a plain match. */
function describe(e: Emitted, g: SweepTruth): string {
  const d = e.data as Record<string, unknown>;
  const type = e.type.replace('shelf.', '');
  if (e.type === 'shelf.change') return 'change(unexplained)';
  const why: string[] = [];
  if (e.type !== g.type) why.push('type');
  if (d.sku !== g.sku) why.push('sku');
  if (d.qty !== g.qty) why.push(`qty${String(d.qty)}`);
  if (!g.channels.includes(d.channel as number)) why.push('plate');
  if (Math.abs(e.t - g.t) > 2000) why.push('late');
  if (d.ambiguous) why.push('ambiguous');
  return `${type}[${why.join(',') || 'dup'}]`;
}

/**
 * Per class, which event was expected and what was emitted instead within 2.5 s on that device: the evidence
 * for deciding what model change fixes a class (never a seed).
 */
export class Confusion {
  private readonly rows = new Map<string, Map<string, number>>();
  private readonly examples = new Map<string, string[]>();
  private readonly falseAlarms = new Map<string, number>();
  private readonly alarmExamples: string[] = [];

  add(seed: number, trace: SweepTrace, score: SweepScore, events: readonly StoreEvent[]): void {
    const emitted = eventsOf(events, 'shelf.pick', 'shelf.put', 'shelf.misplaced', 'shelf.change');
    const spurious = new Set<StoreEvent>(score.spurious);
    for (const e of eventsOf(score.spurious, 'shelf.pick', 'shelf.put', 'shelf.misplaced')) {
      const w = trace.windows.find(
        (x) => x.device === e.data.device && e.t >= x.t0 - 1000 && e.t <= x.t1 + 2500,
      );
      const key = `${e.type.replace('shelf.', '')} in ${w ? w.tags.join('+') : 'no interaction'}`;
      this.falseAlarms.set(key, (this.falseAlarms.get(key) ?? 0) + 1);
      if (this.alarmExamples.length < 12 && (e.type === 'shelf.misplaced' || !w))
        this.alarmExamples.push(
          `seed ${seed} t+${Math.round(e.t - trace.batches[0]!.t)} ${key}: ${String(e.data.sku)}×${String((e.data as { qty?: number }).qty)} ch ${String(e.data.channel)} Δ${String(e.data.delta_grams)} c${String(e.data.confidence)}`,
        );
    }
    for (const g of score.missed) {
      const kind = KINDS.find((k) => g.tags.includes(k)) ?? 'other';
      const near = emitted.filter((e) => e.data.device === g.device && Math.abs(e.t - g.t) <= 2500);
      const free = near.filter((e) => spurious.has(e) || e.type === 'shelf.change');
      const what = free.length === 0 ? 'nothing' : free.map((e) => describe(e, g)).join('+');
      const row = this.rows.get(kind) ?? new Map<string, number>();
      row.set(what, (row.get(what) ?? 0) + 1);
      this.rows.set(kind, row);
      const ex = this.examples.get(kind) ?? [];
      if (ex.length < 6) {
        const layout = g.tags.filter((t) => !KINDS.includes(t)).join(',');
        ex.push(
          `seed ${seed} t+${Math.round(g.t - trace.batches[0]!.t)} ${g.type} ${g.sku}×${g.qty} ch ${g.channels.join('/')} ${layout} → ${free.map((e) => `${e.type} ${String(e.data.sku)}×${String((e.data as { qty?: number }).qty)} ch ${String(e.data.channel)} Δ${String(e.data.delta_grams)} c${String(e.data.confidence)}`).join('; ') || 'nothing'}`,
        );
        this.examples.set(kind, ex);
      }
    }
  }

  print(): void {
    console.log('missed, by kind → what was emitted instead (count)');
    for (const [kind, row] of [...this.rows].sort((a, b) => a[0].localeCompare(b[0]))) {
      const cells = [...row].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${w} ${n}`);
      console.log(`  ${kind.padEnd(15)} ${cells.join(' | ')}`);
      for (const ex of this.examples.get(kind) ?? []) console.log(`      ${ex}`);
    }
    console.log('false alarms, by type and the interaction they fell in (count)');
    for (const [k, n] of [...this.falseAlarms].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${n}`);
    for (const ex of this.alarmExamples) console.log(`      ${ex}`);
  }
}
