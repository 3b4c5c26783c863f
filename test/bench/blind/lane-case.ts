/** One run of the independent lane generator, written as a user hands it to `storegate replay`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LaneShoppers, type SessionTruth } from './lane-sessions.js';
import { scaleReadings } from './lane-signal.js';
import {
  catalogOf,
  drawCatalog,
  drawLaneParams,
  drawScale,
  type LaneParams,
  type ScaleSim,
} from './lane-world.js';
import { Rng } from './prng.js';

export interface LaneCase {
  seed: number;
  params: LaneParams;
  scales: ScaleSim[];
  sessions: SessionTruth[];
  config: string;
  catalog: string;
  inputs: string[];
}

export function writeLaneCase(seed: number, dir: string, lanes = 8, sessionsPerLane = 25): LaneCase {
  const rng = new Rng(seed * 7907 + 3);
  const params = drawLaneParams(rng.fork(1));
  const items = drawCatalog(rng.fork(2), params, rng.int(60, 150));
  const startMs = Date.UTC(2026, 1, 2, 8, 0, 0) + seed * 86_400_000;
  const scales: ScaleSim[] = [];
  const sessions: SessionTruth[] = [];
  const inputs: string[] = [];
  const write = (name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    inputs.push(file);
  };
  for (let l = 1; l <= lanes; l++) {
    const lane = `lane-${l}`;
    const scale = drawScale(rng.fork(100 + l), lane);
    scales.push(scale);
    const script = new LaneShoppers(rng.fork(200 + l), params, scale, items, startMs).run(sessionsPerLane);
    sessions.push(...script.sessions);
    const ms = (t: number) => Math.round(startMs + t * 1000);
    write(
      `scale-${l}.ndjson`,
      scaleReadings(rng.fork(300 + l), scale, script, startMs).map((r) =>
        JSON.stringify({ t: r.t, lane, grams: r.grams, stable: r.stable }),
      ),
    );
    write(
      `scanner-${l}.ndjson`,
      script.scans.map((s) => JSON.stringify({ t: ms(s.t), lane, scan: s.gtin })),
    );
    write(
      `pos-${l}.ndjson`,
      script.pos.map((s) =>
        JSON.stringify({ t: ms(s.t), lane, pos: s.pos, transaction_id: s.transaction_id }),
      ),
    );
  }
  const catalog = join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify(catalogOf(items), null, 2));
  const config = join(dir, 'storegate.yaml');
  const laneRows = scales.map(
    (_, i) => `    - { id: lane-${i + 1}, scanner: scan-${i + 1}, scale: scale-${i + 1}, pos: pos-${i + 1} }`,
  );
  writeFileSync(
    config,
    `# written by the independent lane bench (seed ${seed})\nstore:\n  id: blind-${seed}\ndata_dir: data\nfootfall:\n  enabled: false\ncheckout:\n  lanes:\n${laneRows.join('\n')}\n`,
  );
  return { seed, params, scales, sessions, config, catalog, inputs };
}
