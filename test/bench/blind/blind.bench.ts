/**
 * `npm run bench:blind`: the independent judge. Traces from generators written without reading the shelf and
 * lane models, run through `storegate replay --config` as a user runs it, scored against their own truth.
 *   --seeds 20 | 101-140 | 3,7,9   which seeds (default 1-20)
 *   --only shelves|lanes           one half
 *   --jobs 2                       replays run side by side
 *   --keep                         keep the generated files (paths on stderr)
 */
import { Command, InvalidArgumentError } from 'commander';
import { type LaneSeedResult, laneReport, runLaneSeed } from './lane-bench.js';
import { runShelfSeed, type ShelfSeedResult, shelfReport } from './shelf-bench.js';

function parseSeeds(text: string): number[] {
  if (/^\d+$/.test(text)) return Array.from({ length: Number(text) }, (_, i) => i + 1);
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    if (hi >= lo) return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  const list = text.split(',').map(Number);
  if (list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0)) return list;
  throw new InvalidArgumentError('expected a count (20), a range (101-140) or a list (3,7,9)');
}

async function pool<T>(
  seeds: readonly number[],
  jobs: number,
  run: (seed: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < seeds.length) {
      const seed = seeds[next++] as number;
      results.push(await run(seed));
      process.stderr.write('.');
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  process.stderr.write('\n');
  return results;
}

const program = new Command('bench:blind')
  .option('--seeds <seeds>', 'count, range or list of seeds', parseSeeds, parseSeeds('20'))
  .option('--only <half>', 'shelves or lanes')
  .option('--jobs <n>', 'replays side by side', (v) => Number.parseInt(v, 10), 2)
  .option('--keep', 'keep the generated files', false)
  .parse();
const opts = program.opts<{ seeds: number[]; only?: string; jobs: number; keep: boolean }>();
const started = performance.now();
console.log(
  `independent bench: seeds ${opts.seeds[0]}…${opts.seeds[opts.seeds.length - 1]} (${opts.seeds.length}), ${opts.jobs} jobs`,
);
if (opts.only !== 'lanes') {
  const shelves: ShelfSeedResult[] = await pool(opts.seeds, opts.jobs, (s) => runShelfSeed(s, opts.keep));
  shelves.sort((a, b) => a.seed - b.seed);
  console.log(shelfReport(shelves));
}
if (opts.only !== 'shelves') {
  const lanes: LaneSeedResult[] = await pool(opts.seeds, opts.jobs, (s) => runLaneSeed(s, opts.keep));
  lanes.sort((a, b) => a.seed - b.seed);
  console.log(laneReport(lanes));
}
console.log(
  `wall time ${((performance.now() - started) / 1000).toFixed(0)} s (replays ${opts.jobs} at a time; shared machine, load ${(await import('node:os')).loadavg()[0]?.toFixed(1)})`,
);
