import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateScript, T0 } from './trace-script.js';

const run = promisify(execFile);
const BIN = resolve('dist/gateway/src/cli/bin.js');

describe('storegate replay with shelf readings (spawned CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error('build first: npx tsc -p tsconfig.json');
    dir = mkdtempSync(join(tmpdir(), 'sg-shelf-replay-'));
    writeFileSync(
      join(dir, 'planogram.json'),
      JSON.stringify({
        plates: [
          {
            device: 'shelf-a3',
            channel: 0,
            sku: 'cola-330',
            unit_grams: 352,
            tolerance_grams: 6,
            capacity: 24,
          },
          {
            device: 'shelf-a3',
            channel: 1,
            sku: 'chips-250',
            unit_grams: 250,
            tolerance_grams: 5,
            capacity: 20,
          },
        ],
      }),
    );
    // Channel 0 as 60 Hz batches: two cans picked; channel 1 as single samples at 60 Hz: one bag put back.
    const cola = new PlateScript(3520, 1, 41).hold(3000).step(-704, 200).hold(4000);
    const chips = new PlateScript(2500, 1, 42).hold(4000).step(250, 200).hold(3000);
    const lines: { t: number; text: string }[] = [];
    for (const r of cola.readings('shelf-a3', 0)) {
      if (r.type !== 'shelf.weight') continue;
      lines.push({
        t: r.receivedAt,
        text: JSON.stringify({ t: r.receivedAt, device: 'shelf-a3', channel: 0, hz: 60, grams: r.grams }),
      });
    }
    chips.samples.forEach((g, i) => {
      const t = T0 + Math.round((i * 1000) / 60);
      lines.push({ t, text: JSON.stringify({ t, device: 'shelf-a3', channel: 1, grams: g }) });
    });
    lines.sort((a, b) => a.t - b.t);
    writeFileSync(
      join(dir, 'readings.ndjson'),
      `${lines.map((l) => l.text).join('\n')}\n{"t": 1, "device": "shelf-a3"}\nnot json\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the picks and puts as NDJSON, reports rejected lines on stderr', async () => {
    const { stdout, stderr } = await run('node', [
      BIN,
      'replay',
      '--planogram',
      join(dir, 'planogram.json'),
      join(dir, 'readings.ndjson'),
    ]);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const pp = events.filter((e) => e.type === 'shelf.pick' || e.type === 'shelf.put');
    expect(pp.map((e) => [e.type, e.device, e.channel, e.sku, e.qty])).toEqual([
      ['shelf.pick', 'shelf-a3', 0, 'cola-330', 2],
      ['shelf.put', 'shelf-a3', 1, 'chips-250', 1],
    ]);
    expect(Math.abs((pp[0]!.t as number) - (T0 + 3000))).toBeLessThan(500);
    expect(stderr).toMatch(/rejected: not JSON/);
    expect(stderr).toMatch(/replay: .* 2 rejected/);
  });

  it('without --planogram a shelf line is rejected with the reason; --strict exits 1', async () => {
    const err = await run('node', [BIN, 'replay', '--strict', join(dir, 'readings.ndjson')]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/shelf readings need --planogram FILE/);
  });

  it('a broken planogram is a clear error naming the problem', async () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ plates: [{ device: 'x', channel: 0, sku: 'y', unit_grams: 0, capacity: 1 }] }),
    );
    const err = await run('node', [
      BIN,
      'replay',
      '--planogram',
      join(dir, 'bad.json'),
      join(dir, 'readings.ndjson'),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/SG_BAD_ARGUMENT[\s\S]*plates\.0\.unit_grams/);
  });
});
