/** One run of the independent shelf generator, written as a user would hand it to `storegate replay`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from './prng.js';
import { type Disturbance, type ShelfTruth, ShopperScript } from './shelf-actions.js';
import { renderShelf } from './shelf-signal.js';
import { drawShelfParams, drawShelves, planogramOf, type ShelfParams, type ShelfSim } from './shelf-world.js';

export interface ShelfCase {
  seed: number;
  params: ShelfParams;
  shelves: ShelfSim[];
  truths: ShelfTruth[];
  disturbances: Disturbance[];
  facingPlates: Map<string, string[]>;
  config: string;
  inputs: string[];
  samples: number;
}

export const SHELF_RUN_S = 360;

export function writeShelfCase(seed: number, dir: string, durationS = SHELF_RUN_S): ShelfCase {
  const rng = new Rng(seed * 1009 + 17);
  const params = drawShelfParams(rng.fork(1));
  const world = rng.fork(2);
  const shelves: ShelfSim[] = [];
  const shelfCount = world.int(2, 3);
  for (let i = 0; i < shelfCount; i++) shelves.push(drawShelves(world, params, i, i * 100));
  const startMs = Date.UTC(2026, 0, 5, 9, 0, 0) + seed * 3_600_000;
  const truths: ShelfTruth[] = [];
  const disturbances: Disturbance[] = [];
  const inputs: string[] = [];
  let samples = 0;
  shelves.forEach((shelf, i) => {
    const script = new ShopperScript(rng.fork(10 + i), params, shelf, startMs).run(durationS);
    truths.push(...script.truths);
    disturbances.push(...script.disturbances);
    const lines = renderShelf(rng.fork(20 + i), params, shelf, script, startMs, durationS);
    samples += shelf.plates.length * Math.floor(durationS * shelf.hz);
    const file = join(dir, `${shelf.device}.ndjson`);
    writeFileSync(file, `${lines.map((l) => l.line).join('\n')}\n`);
    inputs.push(file);
  });
  writeFileSync(join(dir, 'planogram.json'), JSON.stringify(planogramOf(shelves), null, 2));
  const config = join(dir, 'storegate.yaml');
  writeFileSync(
    config,
    `# written by the independent shelf bench (seed ${seed})\nstore:\n  id: blind-${seed}\ndata_dir: data\nshelves:\n  planogram: planogram.json\n`,
  );
  const facingPlates = new Map<string, string[]>();
  for (const shelf of shelves)
    for (const f of shelf.facings)
      facingPlates.set(
        f.id,
        f.plates.map((i) => shelf.plates[i]?.key ?? ''),
      );
  return { seed, params, shelves, truths, disturbances, facingPlates, config, inputs, samples };
}
