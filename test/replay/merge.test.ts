import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputLine } from '../../gateway/src/replay/input-scan.js';
import { MAX_OPEN_RUNS, mergeInputs } from '../../gateway/src/replay/merge.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function merged(paths: string[]): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const l of mergeInputs(paths.map((path) => ({ path, label: path })))) out.push(l);
  return out;
}
const timeOf = (l: InputLine) => (JSON.parse(l.text) as { received_at?: number; t: number }).t;

describe('mergeInputs', () => {
  it('many per-device blocks (more runs than are opened at once) come out in time order, none lost', async () => {
    const devices = MAX_OPEN_RUNS + 40;
    const lines: string[] = [];
    for (let d = 0; d < devices; d++)
      for (let i = 0; i < 5; i++)
        lines.push(JSON.stringify({ t: 1000 * i + d, device: `p-${d}`, channel: 0, grams: 1 }));
    const file = join(dir, 'blocks.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const out = await merged([file]);
    expect(out.filter((l) => l.reject)).toEqual([]);
    const times = out.map(timeOf);
    expect(times).toHaveLength(devices * 5);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(out[0]!.at).toBe(`${file}:1`);
  });

  it('two devices interleaved out of global order (a run per line) are sorted in memory; garbage keeps its place', async () => {
    const lines: string[] = [];
    for (let i = 0; i < MAX_OPEN_RUNS + 100; i++) {
      lines.push(JSON.stringify({ t: 10 * i + 5, device: 'a', in: i, out: 0 }));
      lines.push(JSON.stringify({ t: 10 * i, device: 'b', in: i, out: 0 }));
    }
    lines.splice(7, 0, 'not json');
    const file = join(dir, 'interleaved.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const out = await merged([file]);
    const timed = out.filter((l) => l.text !== 'not json');
    expect(timed.map(timeOf)).toEqual(timed.map(timeOf).sort((a, b) => a - b));
    expect(timed).toHaveLength(2 * (MAX_OPEN_RUNS + 100));
    const garbage = out.findIndex((l) => l.text === 'not json');
    expect(out[garbage]!.at).toBe(`${file}:8`);
    // It sits after the line before it in the file (a's t 35), before b's t 40.
    expect(timeOf(out[garbage - 1]!)).toBe(35);
  });

  it('a device going back in time is rejected first, with both positions; equal times keep file order', async () => {
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    writeFileSync(
      a,
      [
        '{"t":100,"device":"x","in":1,"out":0}',
        '{"t":90,"device":"x","in":2,"out":0}',
        '{"t":200,"device":"x","in":3,"out":0}',
      ].join('\n'),
    );
    writeFileSync(
      b,
      [
        '{"t":100,"device":"y","in":1,"out":0}',
        '{"t":150,"received_at":250,"device":"y","in":2,"out":0}',
      ].join('\n'),
    );
    const out = await merged([a, b]);
    expect(out[0]).toMatchObject({ at: `${a}:2` });
    expect(out[0]!.reject).toMatch(/^x goes back in time: t 90 is before t 100 at .*a\.ndjson:1/);
    // received_at orders a recorded line: y's second line (received at 250) comes after x's t 200.
    expect(out.slice(1).map((l) => l.at)).toEqual([`${a}:1`, `${b}:1`, `${a}:3`, `${b}:2`]);
  });
});
