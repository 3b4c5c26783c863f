import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { replayDomains } from '../../gateway/src/replay/domains.js';
import { type InputFile, mergeInputs } from '../../gateway/src/replay/merge.js';
import { runReplay } from '../../gateway/src/replay/replay.js';
import { PlateScript, T0 } from '../shelf/trace-script.js';

/**
 * `npm run bench:replay`: what merging input files by time costs. The same shelf trace (4 devices × 6 plates,
 * 60 Hz in 12-sample batches, a pick or put every ~40 s per plate) is replayed as one sorted file streamed
 * straight into replay (the path before merging existed: the baseline), and through the merge as one sorted
 * file, as one file of per-device blocks, and as one file per device. Events must be identical in all four.
 */
const DEVICES = 4;
const CHANNELS = 6;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);

const dir = mkdtempSync(join(tmpdir(), 'sg-replay-bench-'));
try {
  const plates = [];
  const perDevice: string[][] = [];
  let samples = 0;
  const all: { t: number; text: string }[] = [];
  for (let d = 0; d < DEVICES; d++) {
    const device = `shelf-${d}`;
    const lines: { t: number; text: string }[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      plates.push({
        device,
        channel: c,
        sku: `sku-${d}-${c}`,
        unit_grams: 300 + 40 * c,
        tolerance_grams: 6,
        capacity: 30,
      });
      const s = new PlateScript(3000 + 100 * c, 1, 1 + d * CHANNELS + c);
      for (let t = 0; t < SECONDS; t += 40)
        s.hold(20_000)
          .step(((t / 40) % 2 === 0 ? -1 : 1) * (300 + 40 * c), 200)
          .hold(19_800);
      samples += s.samples.length;
      for (const r of s.readings(device, c, T0)) {
        if (r.type !== 'shelf.weight') continue;
        lines.push({
          t: r.receivedAt,
          text: JSON.stringify({ t: r.receivedAt, device, channel: c, hz: 60, grams: r.grams }),
        });
      }
    }
    lines.sort((a, b) => a.t - b.t);
    perDevice.push(lines.map((l) => l.text));
    all.push(...lines);
  }
  const stable = all.map((l, i) => ({ ...l, i })).sort((a, b) => a.t - b.t || a.i - b.i);
  writeFileSync(join(dir, 'planogram.json'), JSON.stringify({ plates }));
  writeFileSync(join(dir, 'sorted.ndjson'), `${stable.map((l) => l.text).join('\n')}\n`);
  writeFileSync(join(dir, 'blocks.ndjson'), `${perDevice.flat().join('\n')}\n`);
  perDevice.forEach((lines, d) => {
    writeFileSync(join(dir, `dev-${d}.ndjson`), `${lines.join('\n')}\n`);
  });
  const planogram = join(dir, 'planogram.json');

  async function time(
    source: () => AsyncIterable<string | import('../../gateway/src/replay/input-scan.js').InputLine>,
  ) {
    const events: string[] = [];
    let rejected = 0;
    // CPU time, not wall time: the machine is shared, and replay is single-threaded.
    const c0 = process.cpuUsage();
    await runReplay(
      source(),
      replayDomains(),
      { planogram },
      {
        event: (e) => events.push(JSON.stringify(e)),
        reject: () => rejected++,
      },
    );
    const c = process.cpuUsage(c0);
    const s = (c.user + c.system) / 1e6;
    return { rate: samples / s, events, rejected };
  }
  const files = (names: string[]): InputFile[] => names.map((n) => ({ path: join(dir, n), label: n }));
  const cases: [
    string,
    () => AsyncIterable<string | import('../../gateway/src/replay/input-scan.js').InputLine>,
  ][] = [
    [
      'sorted file, streamed without merge (baseline)',
      () =>
        createInterface({
          input: createReadStream(join(dir, 'sorted.ndjson')),
          crlfDelay: Number.POSITIVE_INFINITY,
        }),
    ],
    ['sorted file through the merge', () => mergeInputs(files(['sorted.ndjson']))],
    ['per-device blocks in one file', () => mergeInputs(files(['blocks.ndjson']))],
    [`${DEVICES} per-device files`, () => mergeInputs(files(perDevice.map((_, d) => `dev-${d}.ndjson`)))],
  ];
  console.log(
    `replay merge: ${DEVICES * CHANNELS} plates, ${SECONDS} s, ${samples} samples, ${stable.length} lines; best of 3 runs each`,
  );
  let baseline = 0;
  let reference: string[] | null = null;
  for (const [name, source] of cases) {
    let best = 0;
    for (let i = 0; i < 3; i++) {
      const r = await time(source);
      best = Math.max(best, r.rate);
      if (r.rejected > 0) throw new Error(`${name}: ${r.rejected} lines rejected`);
      if (reference === null) reference = r.events;
      else if (JSON.stringify(r.events) !== JSON.stringify(reference))
        throw new Error(`${name}: events differ from the baseline`);
    }
    if (baseline === 0) baseline = best;
    console.log(
      `  ${name.padEnd(48)} ${(best / 1e6).toFixed(2)} M samples/CPU-s  ${(best / baseline).toFixed(2)}× baseline`,
    );
  }
  console.log(`  events: ${reference?.length ?? 0}, identical in every case`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
