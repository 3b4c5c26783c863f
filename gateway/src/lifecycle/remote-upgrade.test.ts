import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/src/clock.js';
import { createLogger } from '../../../shared/src/logger.js';
import type { Gateway } from '../app.js';
import { parseConfig } from '../config/load.js';
import { writeManifest } from '../deploy/manifest.js';
import { packTarball } from '../deploy/release/build.js';
import { readUpgradeRecord } from '../deploy/upgrade-record.js';
import { cloudCommands } from '../sinks/uplink/commands.js';
import { registerRemoteUpgrade } from './remote-upgrade.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-remote-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function artifact(version: string, tamper: boolean): string {
  const stage = join(dir, `stage-${version}-${tamper}`);
  const release = join(stage, `storegate-${version}`);
  mkdirSync(join(release, 'dist'), { recursive: true });
  writeFileSync(join(release, 'dist/main.js'), 'export {};\n');
  writeManifest(release, {
    version,
    commit: 'c'.repeat(40),
    built_at: new Date().toISOString(),
    node_abi: process.versions.modules,
    node_version: process.version,
    arch: process.arch,
    platform: process.platform,
  });
  if (tamper) writeFileSync(join(release, 'dist/main.js'), 'changed\n');
  const file = join(dir, `${version}-${tamper}.tar.gz`);
  packTarball(stage, `storegate-${version}`, file);
  return file;
}

/** A gateway as far as the command needs one: its config and cloud command registry. */
function gatewayWith(dataDir: string): Gateway {
  mkdirSync(dataDir, { recursive: true });
  const config = {
    ...parseConfig(
      {
        store: { id: 's1' },
        cloud: { url: 'mqtt://127.0.0.1:1', command_signing: { trusted_connection: true } },
      },
      { configFile: join(dir, 'storegate.yaml') },
    ),
    dataDir,
  };
  return { context: { clock: systemClock(), config } } as unknown as Gateway;
}

const call = async (gateway: Gateway, args: object) =>
  cloudCommands(gateway.context).execute(
    'release.upgrade',
    Buffer.from(JSON.stringify({ id: 'req-9', args })),
  );

describe('release.upgrade when the checks outlast the answer', () => {
  // Every answer deadline is already over when set: the checks (a tar child process) are always later.
  const late = {
    ...systemClock(),
    setTimeout: (fn: () => void) => {
      fn();
      return { id: 0 };
    },
    clearTimeout: () => {},
  };
  const deps = (gateway: Gateway, runs: string[][]) => ({
    clock: late,
    logger: createLogger({ level: 'silent' }),
    current: () => gateway,
    release: { version: '1.0.0', commit: null, builtAt: null, layout: null },
    runner: async (argv: readonly string[]) => void runs.push([...argv]),
  });

  it('answers verifying, then starts the runner once the artifact verified', async () => {
    const gateway = gatewayWith(join(dir, 'a'));
    const runs: string[][] = [];
    registerRemoteUpgrade(deps(gateway, runs));
    const file = artifact('2.0.0', false);
    const answer = await call(gateway, { artifact: file });
    expect(answer).toMatchObject({ status: 'ok', data: { state: 'verifying', artifact: file } });
    await expect.poll(() => runs.length, { timeout: 15_000 }).toBe(1);
    expect(runs[0]!.slice(-4)).toEqual(['upgrade', file, '--request-id', 'req-9']);
  });

  it('records a refusal found after the answer in the upgrade record, and runs nothing', async () => {
    const dataDir = join(dir, 'b');
    const gateway = gatewayWith(dataDir);
    const runs: string[][] = [];
    registerRemoteUpgrade(deps(gateway, runs));
    const file = artifact('2.0.0', true);
    expect(await call(gateway, { artifact: file })).toMatchObject({ data: { state: 'verifying' } });
    await expect.poll(() => readUpgradeRecord(dataDir)?.state, { timeout: 15_000 }).toBe('failed');
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      from: '1.0.0',
      to: null,
      request_id: 'req-9',
      problem: expect.stringMatching(/^SG_RELEASE_INVALID: .*changed: dist\/main\.js/),
    });
    expect(runs).toEqual([]);
  });

  it('refuses a release built before the running one unless the signed args say downgrade', async () => {
    const gateway = gatewayWith(join(dir, 'c'));
    const runs: string[][] = [];
    const release = { version: '3.0.0', commit: null, builtAt: '2999-01-01T00:00:00.000Z', layout: null };
    registerRemoteUpgrade({ ...deps(gateway, runs), clock: systemClock(), release });
    const file = artifact('2.0.0', false);
    const old = await call(gateway, { artifact: file });
    expect(old).toMatchObject({
      status: 'error',
      error: {
        message: expect.stringMatching(/^SG_CONFLICT: release 2\.0\.0 was built before the running 3\.0\.0/),
      },
    });
    expect(await call(gateway, { artifact: file, downgrade: true })).toMatchObject({
      status: 'ok',
      data: { state: 'accepted', to: '2.0.0' },
    });
    expect(runs).toHaveLength(1);
  });
});
