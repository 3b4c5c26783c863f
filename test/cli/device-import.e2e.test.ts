import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import { ensureBuilt, runCli, writeConfig } from './support.js';

/** `storegate device import FILE.csv` with the built CLI: all or nothing, every bad line reported by number. */
describe('storegate device import', () => {
  let dir: string;
  let config: string;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sg-cli-import-'));
    config = writeConfig(
      dir,
      ['data_dir: ./data', `broker: { host: 127.0.0.1, port: ${await freePort()} }`].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reports each bad line with its number and registers nothing', async () => {
    const csv = file(
      'bad.csv',
      [
        'id,kind,aisle,fixture',
        'shelf-1,shelf,a,a1',
        'door 2,door,,', // space in the id
        'beam-3,toaster,,', // unknown kind
        'shelf-1,shelf,a,a2', // duplicate of line 2
      ].join('\n'),
    );
    const r = await runCli(config, ['device', 'import', csv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.csv:3: invalid device id "door 2"');
    expect(r.stderr).toMatch(/bad\.csv:4: kind: kind must be one of/);
    expect(r.stderr).toContain('bad.csv:5: device shelf-1 is already on line 2');
    expect(r.stderr).toContain('error [SG_BAD_ARGUMENT] 3 problem(s)');
    const list = await runCli(config, ['device', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('registers every row of a good file, prints each secret once, and refuses a second import', async () => {
    const csv = file(
      'good.csv',
      [
        'id,kind,zone,aisle,labels',
        'shelf-a1,shelf,dry,a,vendor=acme;model=hx711',
        '"door-main",door,,,',
      ].join('\r\n'),
    );
    const r = await runCli(config, ['device', 'import', csv, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      imported: number;
      devices: { device: { id: string; labels: object }; secret: string; qr_payload: string }[];
    };
    expect(out.imported).toBe(2);
    expect(out.devices[0]!.device).toMatchObject({
      id: 'shelf-a1',
      labels: { vendor: 'acme', model: 'hx711' },
    });
    expect(JSON.parse(out.devices[1]!.qr_payload)).toMatchObject({ v: 1, device_id: 'door-main' });
    expect(out.devices[1]!.secret.length).toBeGreaterThan(20);
    const list = JSON.parse((await runCli(config, ['device', 'list', '--json'])).stdout) as { id: string }[];
    expect(list.map((d) => d.id).sort()).toEqual(['door-main', 'shelf-a1']);

    const again = await runCli(config, ['device', 'import', csv]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('good.csv:2: device shelf-a1 is already registered');
    expect(again.stderr).toContain('good.csv:3: device door-main is already registered');
  });

  it('names the line where a file stops being CSV', async () => {
    const csv = file('broken.csv', 'id,kind\nshelf-x,shelf\n"unterminated,door\n');
    const r = await runCli(config, ['device', 'import', csv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[SG_BAD_ARGUMENT\] line \d+: .*quote/i);
  });
});
