import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../gateway/src/registry/catalog-store.js';
import { PlateScript, T0 } from '../shelf/trace-script.js';
import { replayCli } from '../support/process.js';

const PLANOGRAM = {
  plates: [
    { device: 'shelf-a3', channel: 0, sku: 'cola-330', unit_grams: 352, tolerance_grams: 6, capacity: 24 },
    { device: 'shelf-b1', channel: 0, sku: 'chips-250', unit_grams: 250, tolerance_grams: 5, capacity: 20 },
  ],
};

/** One NDJSON line per 12-sample batch, as a shelf controller publishes them. */
function shelfLines(device: string, script: PlateScript, t0 = T0): { t: number; text: string }[] {
  return script.readings(device, 0, t0).flatMap((r) =>
    r.type === 'shelf.weight'
      ? [
          {
            t: r.receivedAt,
            text: JSON.stringify({ t: r.receivedAt, device, channel: 0, hz: 60, grams: r.grams }),
          },
        ]
      : [],
  );
}

const text = (lines: { text: string }[]) => `${lines.map((l) => l.text).join('\n')}\n`;
const picksAndPuts = (lines: Record<string, unknown>[]) =>
  lines
    .filter((e) => e.type === 'shelf.pick' || e.type === 'shelf.put')
    .map((e) => [e.type, e.device, e.sku, e.qty]);

describe('storegate replay: several input files merged by time, per-device order', () => {
  let dir: string;
  const at = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-replay-merge-'));
    writeFileSync(at('planogram.json'), JSON.stringify(PLANOGRAM));
    // a3: two cans picked at +3 s; b1: a bag put back at +4 s. b1 stops sending 9 s before a3 does.
    const a3 = shelfLines('shelf-a3', new PlateScript(3520, 1, 41).hold(3000).step(-704, 200).hold(16000));
    const b1 = shelfLines('shelf-b1', new PlateScript(2500, 1, 42).hold(4000).step(250, 200).hold(6000));
    writeFileSync(at('a3.ndjson'), text(a3));
    writeFileSync(at('b1.ndjson'), text(b1));
    writeFileSync(at('a3-crlf.ndjson'), text(a3).replaceAll('\n', '\r\n'));
    writeFileSync(at('sorted.ndjson'), text([...a3, ...b1].sort((x, y) => x.t - y.t)));
    writeFileSync(at('blocks.ndjson'), text([...b1, ...a3]));
    // The same device twice in one file, the second batch 200 ms earlier than the first (line 3 vs line 2).
    const back = [...a3.slice(0, 2), a3[2]!, a3[1]!, ...a3.slice(3)];
    writeFileSync(at('back.ndjson'), text(back));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('per-device files give the events of one sorted file, whatever their order on the command line', () => {
    const sorted = replayCli(['--planogram', at('planogram.json'), '--strict', at('sorted.ndjson')]);
    expect(sorted.status).toBe(0);
    expect(picksAndPuts(sorted.lines)).toEqual([
      ['shelf.pick', 'shelf-a3', 'cola-330', 2],
      ['shelf.put', 'shelf-b1', 'chips-250', 1],
    ]);
    const split = replayCli([
      '--planogram',
      at('planogram.json'),
      '--strict',
      at('b1.ndjson'),
      at('a3.ndjson'),
    ]);
    expect(split.stderr).toMatch(/0 rejected/);
    expect(split.lines).toEqual(sorted.lines);
    const crlf = replayCli([
      '--planogram',
      at('planogram.json'),
      '--strict',
      at('a3-crlf.ndjson'),
      at('b1.ndjson'),
    ]);
    expect(crlf.lines).toEqual(sorted.lines);
    const blocks = replayCli(['--planogram', at('planogram.json'), '--strict', at('blocks.ndjson')]);
    expect(blocks.stderr).toMatch(/0 rejected/);
    expect(blocks.lines).toEqual(sorted.lines);
  });

  it('stdin that is only per-device ordered is merged too', () => {
    const input = readFileSync(at('blocks.ndjson'), 'utf8');
    const r = replayCli(['--planogram', at('planogram.json'), '--strict'], input);
    expect(r.status).toBe(0);
    expect(picksAndPuts(r.lines)).toHaveLength(2);
  });

  it('a device going back in time within its file is rejected with file:line of both lines', () => {
    const r = replayCli([
      '--planogram',
      at('planogram.json'),
      '--strict',
      at('back.ndjson'),
      at('b1.ndjson'),
    ]);
    expect(r.status).toBe(1);
    const file = at('back.ndjson');
    expect(r.stderr).toContain(`${file}:4: rejected: shelf-a3 channel 0 goes back in time`);
    expect(r.stderr).toContain(`is before t ${T0 + 400} at ${file}:3`);
    expect(r.stderr).toMatch(/1 rejected/);
    expect(picksAndPuts(r.lines)).toHaveLength(2);
  });

  it('invents no silence after the last input; a real gap inside the input is reported', () => {
    const r = replayCli(['--planogram', at('planogram.json'), at('a3.ndjson'), at('b1.ndjson')]);
    const silent = r.lines.filter((e) => e.type === 'shelf.sensor' && e.status === 'silent');
    // b1's last batch is at +9.8 s; a3 runs to +19.2 s: b1 is silent from +15 s on, a3 never is.
    expect(silent.map((e) => e.device)).toEqual(['shelf-b1']);
    expect(silent[0]!.t as number).toBeGreaterThan(T0 + 14_000);
    const last = Math.max(...r.lines.map((e) => e.t as number));
    expect(last).toBeLessThanOrEqual(T0 + 19_200);
  });

  it('--config: the planogram and tuning of storegate.yaml, the catalog of its data_dir', () => {
    writeFileSync(
      at('storegate.yaml'),
      'data_dir: ./data\nshelves:\n  planogram: planogram.json\n  health:\n    silent_ms: 30000\n',
    );
    const r = replayCli(['--config', at('storegate.yaml'), '--strict', at('a3.ndjson'), at('b1.ndjson')]);
    expect(r.status).toBe(0);
    expect(picksAndPuts(r.lines)).toHaveLength(2);
    // silent_ms 30 s from the config: the 9 s gap is not silence any more.
    expect(r.lines.filter((e) => e.type === 'shelf.sensor' && e.status === 'silent')).toEqual([]);

    const lanes = 'test/checkout/fixtures/lane-session.ndjson';
    const withFile = replayCli([lanes, '--catalog', 'test/checkout/fixtures/catalog.json']);
    const none = replayCli(['--config', at('storegate.yaml'), lanes]);
    expect(none.stderr).toMatch(
      /lane inputs need --catalog FILE \(or --config with checkout.catalog or a catalog in data_dir\)/,
    );
    const store = CatalogStore.open(join(dir, 'data', 'checkout.db'));
    store.apply(JSON.parse(readFileSync('test/checkout/fixtures/catalog.json', 'utf8')), 'test', T0);
    store.close();
    const stored = replayCli(['--config', at('storegate.yaml'), '--strict', lanes]);
    expect(stored.status).toBe(0);
    expect(stored.lines.length).toBeGreaterThan(0);
    expect(stored.lines).toEqual(withFile.lines);
  });
});
