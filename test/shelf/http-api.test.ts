import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_DEADLINE_MS, deadlineForRuns, eventually } from '../cli/support.js';
import { liveShelf, type ShelfGateway, startShelfGateway } from './shelf-gateway.js';

const BIN = resolve('dist/gateway/src/cli/bin.js');
const execNode = promisify(execFile);
/** The built CLI, killed (and the test failed naming it) if it has not exited within CLI_DEADLINE_MS. */
const exec = (cmd: string, args: string[]) => execNode(cmd, args, { timeout: CLI_DEADLINE_MS });

describe('shelves HTTP API, planogram and calibrate CLI against a running gateway', () => {
  let sg: ShelfGateway | undefined;
  afterEach(async () => {
    await sg?.close();
    sg = undefined;
  });

  it('planogram: GET, PUT plate, DELETE plate, history with who; bad input is a 400 naming the field', async () => {
    sg = await startShelfGateway();
    const { base, fetch } = sg;
    const get = async () =>
      (await (await fetch(`${base}/api/planogram`)).json()) as { version: number; plates: { sku: string }[] };
    expect((await get()).plates.map((p) => p.sku)).toEqual(['cola-330', 'chips-250']);
    const put = await fetch(`${base}/api/planogram/plates/shelf-a3/2`, {
      method: 'PUT',
      // Ignored: the changer is the authenticated identity, never a request header.
      headers: { 'content-type': 'application/json', 'x-storegate-user': 'maria' },
      body: JSON.stringify({ sku: 'pasta-500', unit_grams: 500, capacity: 12 }),
    });
    expect(put.status).toBe(200);
    const bad = await fetch(`${base}/api/planogram/plates/shelf-a3/3`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'x', unit_grams: -5, capacity: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/unit_grams/);
    expect((await fetch(`${base}/api/planogram/plates/shelf-a3/0`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${base}/api/planogram/plates/shelf-a3/9`, { method: 'DELETE' })).status).toBe(400);
    expect((await get()).plates.map((p) => p.sku)).toEqual(['chips-250', 'pasta-500']);
    const history = (await (await fetch(`${base}/api/planogram/history`)).json()) as {
      versions: { changed_by: string; reason: string }[];
    };
    expect(history.versions.map((v) => [v.changed_by, v.reason])).toEqual([
      ['token:test-admin', 'remove shelf-a3#0'],
      ['token:test-admin', 'set shelf-a3#2'],
      ['config', expect.stringMatching(/^loaded /)],
    ]);
    const shelves = (await (await fetch(`${base}/api/shelves`)).json()) as {
      planogram_version: number;
      plates: unknown[];
    };
    expect(shelves.plates).toHaveLength(2);
    expect(shelves.planogram_version).toBe(3);
  });

  // A gateway start, five CLI processes and a wait, in sequence: each has its own deadline.
  it('CLI edits the same shelves.db and the gateway picks them up', {
    timeout: deadlineForRuns(7),
  }, async () => {
    sg = await startShelfGateway();
    const cfg = ['--config', sg.configFile];
    await exec('node', [
      BIN,
      ...cfg,
      'planogram',
      'set-plate',
      'shelf-a3',
      '5',
      '--sku',
      'rice-1000',
      '--unit-grams',
      '1000',
      '--capacity',
      '8',
      '--by',
      'cli-test',
    ]);
    const show = await exec('node', [BIN, ...cfg, 'planogram', 'show', '--json']);
    expect((JSON.parse(show.stdout) as { plates: { sku: string }[] }).plates.map((p) => p.sku)).toContain(
      'rice-1000',
    );
    writeFileSync(join(sg.dir, 'bad.json'), '{"plates": [{"device": "x", "channel": 0}]}');
    const badImport = await exec('node', [
      BIN,
      ...cfg,
      'planogram',
      'import',
      join(sg.dir, 'bad.json'),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((badImport as { code: number }).code).toBe(1);
    expect((badImport as { stderr: string }).stderr).toMatch(/plates\.0\.sku/);
    const hist = await exec('node', [BIN, ...cfg, 'planogram', 'history']);
    expect(hist.stdout).toMatch(/cli-test/);
    const bad = await exec('node', [BIN, ...cfg, 'planogram', 'remove-plate', 'nope', '0']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/SG_BAD_ARGUMENT.*no plate nope/);
    const url = `${sg.base}/api/shelves`;
    const seen = async () =>
      ((await (await sg!.fetch(url)).json()) as { plates: { sku: string }[] }).plates.map((p) => p.sku);
    const skus = await eventually(
      async () => ((await seen()).includes('rice-1000') ? seen() : undefined),
      '/api/shelves to list the plate the CLI set (rice-1000)',
      CLI_DEADLINE_MS,
    );
    expect(skus).toContain('rice-1000');
  });

  it('storegate calibrate walks the installer through tare, span and linearity and stores the record', async () => {
    sg = await startShelfGateway();
    const client = await sg.device('shelf-a3');
    // Raw device grams: offset 812, 0.5 raw per true gram.
    let onPlate = 0;
    const stop = liveShelf(client, 1, () => 812 + onPlate * 0.5);
    try {
      const child = spawn(
        'node',
        [
          BIN,
          '--config',
          sg.configFile,
          'calibrate',
          'shelf-a3',
          '--channel',
          '1',
          '--measure-ms',
          '1000',
          '--installer',
          'ines',
        ],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
      });
      const answered = new Set<string>();
      const answers: [string, () => string][] = [
        ['Empty the plate', () => ''],
        ['known span weight in grams', () => '2000'],
        [
          'Put the 2000 g',
          () => {
            onPlate = 2000;
            return '';
          },
        ],
        ['linearity check in grams', () => '1000'],
        [
          'Replace it with the 1000 g',
          () => {
            onPlate = 1000;
            return '';
          },
        ],
        ['Installer note', () => 'after plate swap'],
      ];
      child.stdout.on('data', (d) => {
        out += d;
        for (const [prompt, answer] of answers) {
          if (out.includes(prompt) && !answered.has(prompt)) {
            answered.add(prompt);
            // Let the weight settle on the plate before the installer presses Enter.
            const text = answer();
            setTimeout(() => child.stdin.write(`${text}\n`), 500);
          }
        }
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toMatch(/calibration of shelf-a3 channel 1 saved/);
    } finally {
      stop();
    }
    const body = (await (await sg.fetch(`${sg.base}/api/calibrations`)).json()) as {
      calibrations: Record<string, number | string>[];
    };
    expect(body.calibrations).toHaveLength(1);
    const c = body.calibrations[0]!;
    expect(c).toMatchObject({
      device: 'shelf-a3',
      channel: 1,
      span_grams: 2000,
      check_grams: 1000,
      // The CLI's own short-lived token (cli/api-credentials.ts), not the --installer name it was given.
      installer: expect.stringMatching(/^token:cli-/),
      note: 'after plate swap',
    });
    expect(c.zero_grams as number).toBeCloseTo(812, 0);
    expect(c.scale as number).toBeCloseTo(2, 1);
    expect(c.linearity_error_grams as number).toBeLessThan(3);
    expect(c.noise_grams as number).toBeGreaterThan(0);
  });

  it('calibrate against a gateway that is not running is a clear error', async () => {
    const err = await exec('node', [
      BIN,
      'calibrate',
      'shelf-a3',
      '--yes',
      '--span-grams',
      '500',
      '--gateway',
      'http://127.0.0.1:9',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/SG_IO.*cannot reach the gateway/);
  });
});
