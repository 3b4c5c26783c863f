import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import { ensureBuilt, type RunningGateway, runCli, startGateway, writeConfig } from './support.js';

let dir: string;
const servers: Server[] = [];
let gateway: RunningGateway | undefined;

beforeAll(() => {
  ensureBuilt();
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await gateway?.stop();
});

async function listen(port: number): Promise<void> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function baseConfig(extra: string[] = []) {
  dir = mkdtempSync(join(tmpdir(), 'sg-doctor-'));
  const broker = await freePort();
  const http = await freePort();
  const lines = [
    'data_dir: ./data',
    'log: { level: warn }',
    `broker: { host: 127.0.0.1, port: ${broker} }`,
    `http: { host: 127.0.0.1, port: ${http} }`,
    ...extra,
  ];
  return { file: writeConfig(dir, lines.join('\n')), broker, http };
}

function line(stdout: string, name: string): string {
  return stdout.split('\n').find((l) => new RegExp(`^(PASS|WARN|FAIL)  ${name}\\s`).test(l)) ?? '';
}

describe('storegate doctor', () => {
  it('passes a good configuration with one line per check', async () => {
    const { file, broker } = await baseConfig();
    const res = await runCli(file, ['doctor']);
    expect(res.code).toBe(0);
    expect(line(res.stdout, 'config')).toMatch(/^PASS {2}config\s+valid \(.*storegate\.yaml\)/);
    expect(line(res.stdout, 'port broker')).toContain(`127.0.0.1:${broker} is free`);
    expect(line(res.stdout, 'data dir')).toMatch(/^PASS.*will be created/);
    expect(line(res.stdout, 'disk space')).toMatch(/^(PASS|WARN).* free on the data_dir filesystem/);
    expect(line(res.stdout, 'registry')).toMatch(/^PASS.*will be created at first use/);
    expect(line(res.stdout, 'outbox')).toMatch(/^PASS.*will be created at first start/);
    expect(line(res.stdout, 'clock')).toMatch(/^PASS {2}clock\s+system time 20\d\d-/);
    expect(line(res.stdout, 'cloud')).toMatch(/^PASS {2}cloud\s+not configured/);
    expect(line(res.stdout, 'influxdb')).toMatch(/^PASS {2}influxdb\s+not configured/);
    expect(res.stdout).toMatch(/\d+ checks: 0 failed/);

    const json = await runCli(file, ['doctor', '--json']);
    const body = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(body.ok).toBe(true);
    expect(body.checks.map((c) => c.name)).toEqual([
      'config',
      'port broker',
      'port http',
      'data dir',
      'disk space',
      'store id', // the built-in default store id is an example's
      'registry',
      'outbox',
      'clock',
      'cloud',
      'influxdb',
    ]);
  });

  it('fails an invalid configuration with every problem and its path, exit 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-doctor-'));
    const file = writeConfig(
      dir,
      ['broker: { port: "high", colour: blue }', 'health: { offline_after_missed: 0 }'].join('\n'),
    );
    const res = await runCli(file, ['doctor']);
    expect(res.code).toBe(1);
    expect(line(res.stdout, 'config')).toMatch(
      /^FAIL {2}config\s+invalid configuration in .*: 3 problem\(s\)/,
    );
    expect(res.stdout).toContain('broker.port:');
    expect(res.stdout).toContain('broker.colour: unknown key');
    expect(res.stdout).toContain('health.offline_after_missed:');
    expect(line(res.stdout, 'clock')).toMatch(/^PASS/);
    const json = JSON.parse((await runCli(file, ['doctor', '--json'])).stdout) as { ok: boolean };
    expect(json.ok).toBe(false);
  });

  it('fails a port held by another program and unreachable peers; passes reachable ones', async () => {
    const influxPort = await freePort();
    await listen(influxPort);
    const closed = await freePort();
    const { file, broker } = await baseConfig([
      `cloud: { url: "mqtt://127.0.0.1:${closed}" }`,
      `footfall: { influx: { url: "http://127.0.0.1:${influxPort}" } }`,
    ]);
    await listen(broker);
    const res = await runCli(file, ['doctor']);
    expect(res.code).toBe(1);
    expect(line(res.stdout, 'port broker')).toMatch(/^FAIL.*in use by another process/);
    expect(line(res.stdout, 'port http')).toMatch(/^PASS/);
    expect(line(res.stdout, 'cloud')).toMatch(/^FAIL.*not reachable: ECONNREFUSED/);
    expect(line(res.stdout, 'influxdb')).toMatch(/^PASS.*accepts connections/);
    expect(res.stdout).toMatch(/2 failed/);
  });

  it('accepts ports held by the running storegate of this config', async () => {
    const { file, http } = await baseConfig();
    gateway = await startGateway(file, http);
    await runCli(file, ['device', 'add', 'door-1', '--kind', 'door']);
    const res = await runCli(file, ['doctor']);
    expect(line(res.stdout, 'registry')).toMatch(/^PASS {2}registry\s+1 device\(s\) registered/);
    expect(line(res.stdout, 'port http')).toMatch(/^PASS.*held by a running storegate \(store demo-store\)/);
    expect(line(res.stdout, 'port broker')).toMatch(/^PASS.*held by a running storegate/);
    expect(res.code).toBe(0);
  });
});
