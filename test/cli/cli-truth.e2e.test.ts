import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import {
  type CliResult,
  deadlineForRuns,
  ensureBuilt,
  runBin,
  runCli,
  startGateway,
  writeConfig,
} from './support.js';

/** Issue 15.6 through the built CLI, as an installer meets it. */
const dir = mkdtempSync(join(tmpdir(), 'sg-cli-truth-'));

const runIn = (cwd: string, args: string[]): Promise<CliResult> => runBin(args, { cwd });

function config(name: string, yaml: string): string {
  const sub = join(dir, name);
  return writeConfig(mkdtempSync(`${sub}-`), yaml);
}

beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storegate CLI and config (issue 15.6)', () => {
  it('--version prints the package version', { timeout: deadlineForRuns(1) }, async () => {
    const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string };
    const res = await runIn(dir, ['--version']);
    expect(res).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('warns when no config file is found instead of silently using ./data', {
    timeout: deadlineForRuns(1),
  }, async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const res = await runIn(empty, ['device', 'list']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('warning: no config file (storegate.yaml not found in');
    expect(res.stderr).toContain(`data_dir ${join(empty, 'data')}`);
  });

  it('config check FILE says nothing about a missing default config: it reads the file it was given', {
    timeout: deadlineForRuns(1),
  }, async () => {
    const empty = mkdtempSync(join(dir, 'check-'));
    const file = writeConfig(empty, 'store: { id: checked }\n');
    const res = await runIn(empty, ['config', 'check', file]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toContain(`${file}: valid (store checked`);
  });

  it('warns when the gateway running on the configured port keeps its data in another data_dir', {
    timeout: deadlineForRuns(3),
  }, async () => {
    const [http, broker] = [await freePort(), await freePort()];
    const ports = `http: { host: 127.0.0.1, port: ${http} }\nbroker: { host: 127.0.0.1, port: ${broker} }\n`;
    const running = config(
      'running',
      `store: { id: s1 }\nlog: { level: error }\ndata_dir: ./gw-data\n${ports}`,
    );
    const other = config('other', `store: { id: s1 }\ndata_dir: ./cli-data\n${ports}`);
    const gateway = await startGateway(running, http);
    try {
      const same = await runCli(running, ['device', 'list']);
      expect(same.stderr).toBe('');
      const res = await runCli(other, ['device', 'list']);
      expect(res.code).toBe(0);
      expect(res.stderr).toMatch(
        new RegExp(
          `warning: the storegate running on 127\\.0\\.0\\.1:${http} \\(store s1\\) uses data_dir \\S*gw-data, this command uses \\S*cli-data`,
        ),
      );
    } finally {
      await gateway.stop();
    }
  });

  it('start fails with one coded line: bad time zone (with did-you-mean), unknown key, port in use', {
    timeout: deadlineForRuns(2),
  }, async () => {
    const tz = await runCli(config('tz', 'store: { id: s1, timezone: Europe/Amsterdm }\nbrokr: {}\n'), [
      'start',
    ]);
    expect(tz.code).toBe(1);
    expect(tz.stderr).toContain('error [SG_CONFIG_INVALID]');
    expect(tz.stderr).toContain('store.timezone: not a time zone this system knows');
    expect(tz.stderr).toContain('did you mean "Europe/Amsterdam"?');
    expect(tz.stderr).toContain('brokr: unknown key (hint: did you mean "broker"?)');
    expect(tz.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()));
    try {
      const file = config(
        'inuse',
        `store: { id: s1 }\nlog: { level: fatal }\ndata_dir: ./d\nhttp: { host: 127.0.0.1, port: ${port} }\nbroker: { host: 127.0.0.1, port: ${await freePort()} }\n`,
      );
      const res = await runCli(file, ['start']);
      expect(res.code).toBe(1);
      expect(res.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(`^error \\[SG_PORT_IN_USE\\] http port 127\\.0\\.0\\.1:${port} is already in use — `),
      );
    } finally {
      holder.close();
    }
  });

  it('doctor fails what start would fail on: planogram file, serial paths, GPIO chips; warns on an example store id', {
    timeout: deadlineForRuns(1),
  }, async () => {
    const file = config(
      'paths',
      [
        'store: { id: store-0421 }',
        'data_dir: ./d',
        'http: { port: 0 }',
        'broker: { port: 0 }',
        'shelves: { planogram: ./missing-planogram.json }',
        'serial: { devices: [{ id: shelf-x, driver: storegate, kind: shelf, path: /dev/serial/by-id/no-such-port }] }',
        'footfall: { doors: [{ id: door-x, gpio: { chip: gpiochip-none, pin_a: 1, pin_b: 2 } }] }',
        '',
      ].join('\n'),
    );
    const res = await runCli(file, ['doctor']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^WARN {2}store id\s+"store-0421" is an example id/m);
    expect(res.stdout).toMatch(/^FAIL {2}planogram\s+cannot read planogram \S*missing-planogram\.json/m);
    expect(res.stdout).toMatch(
      /^FAIL {2}serial shelf-x\s+\/dev\/serial\/by-id\/no-such-port does not exist/m,
    );
    expect(res.stdout).toMatch(/^FAIL {2}gpio door-x\s+\/dev\/gpiochip-none does not exist/m);
  });

  it('destructive commands ask first; without a terminal they need --yes', {
    timeout: deadlineForRuns(7),
  }, async () => {
    const file = config('confirm', 'store: { id: s1 }\ndata_dir: ./d\nhttp: { port: 0 }\n');
    expect((await runCli(file, ['device', 'add', 'door-9', '--kind', 'door', '--json'])).code).toBe(0);
    const refused = await runCli(file, ['device', 'remove', 'door-9']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error [SG_BAD_ARGUMENT] remove door-9 and its credentials');
    expect(refused.stderr).toContain('add --yes to confirm');
    expect((await runCli(file, ['device', 'show', 'door-9'])).code).toBe(0); // still there
    // A plate belongs to a shelf: a door or an unknown device is refused before the planogram changes.
    const door = await runCli(file, [
      'planogram',
      'set-plate',
      'door-9',
      '0',
      '--sku',
      'x',
      '--unit-grams',
      '100',
      '--capacity',
      '5',
    ]);
    expect(door.code).toBe(1);
    expect(door.stderr).toContain('error [SG_BAD_ARGUMENT] door-9 is a door, not a shelf');
    const ghost = await runCli(file, [
      'planogram',
      'set-plate',
      'ghost',
      '0',
      '--sku',
      'x',
      '--unit-grams',
      '100',
      '--capacity',
      '5',
    ]);
    expect(ghost.stderr).toContain('error [SG_DEVICE_UNKNOWN] no shelf ghost');
    expect((await runCli(file, ['device', 'remove', 'door-9', '--yes'])).code).toBe(0);
    expect((await runCli(file, ['device', 'show', 'door-9'])).code).toBe(1);
  });
});
