import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/src/clock.js';
import { createLogger } from '../../../shared/src/logger.js';
import { fakeRelease, keyPair } from '../../../test/support/signed-release.js';
import type { Gateway } from '../app.js';
import { parseConfig } from '../config/load.js';
import { readUpgradeRecord } from '../deploy/upgrade-record.js';
import { upgradeRequestFile } from '../deploy/upgrade-request.js';
import { cloudCommands } from '../sinks/uplink/commands.js';
import { registerRemoteUpgrade } from './remote-upgrade.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-remote-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const releaseKey = keyPair();

/** A gateway as far as the command needs one: its config and cloud command registry. */
function gatewayWith(dataDir: string, upgrade: object = {}): Gateway {
  mkdirSync(join(dataDir, 'incoming'), { recursive: true });
  const config = {
    ...parseConfig(
      {
        store: { id: 's1' },
        cloud: { url: 'mqtt://127.0.0.1:1', command_signing: { trusted_connection: true } },
        upgrade,
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
const signed = (dataDir: string, version: string, tamper = false) =>
  fakeRelease(join(dataDir, 'incoming'), version, { tamper, signWith: releaseKey.privateKey });
const request = (dataDir: string) => JSON.parse(readFileSync(upgradeRequestFile(dataDir), 'utf8'));

describe('release.upgrade on the gateway', () => {
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
    releaseKeys: () => [releaseKey.publicKey],
  });

  it('answers verifying, then hands the request to the helper once the artifact verified', async () => {
    const dataDir = join(dir, 'a');
    const gateway = gatewayWith(dataDir);
    const runs: string[][] = [];
    registerRemoteUpgrade(deps(gateway, runs));
    const file = signed(dataDir, '2.0.0');
    const answer = await call(gateway, { artifact: file });
    expect(answer).toMatchObject({ status: 'ok', data: { state: 'verifying', artifact: file } });
    await expect.poll(() => existsSync(upgradeRequestFile(dataDir)), { timeout: 15_000 }).toBe(true);
    expect(request(dataDir)).toMatchObject({
      request_id: 'req-9',
      artifact: file,
      from: '1.0.0',
      force: false,
    });
    expect(runs).toEqual([]);
  });

  it('records a refusal found after the answer in the upgrade record, and hands nothing over', async () => {
    const dataDir = join(dir, 'b');
    const gateway = gatewayWith(dataDir);
    registerRemoteUpgrade(deps(gateway, []));
    const file = signed(dataDir, '2.0.0', true);
    expect(await call(gateway, { artifact: file })).toMatchObject({ data: { state: 'verifying' } });
    await expect.poll(() => readUpgradeRecord(dataDir)?.state, { timeout: 15_000 }).toBe('failed');
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      from: '1.0.0',
      to: null,
      request_id: 'req-9',
      problem: expect.stringMatching(/^SG_RELEASE_INVALID: .*changed: dist\/main\.js/),
    });
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
  });

  it('refuses a release built before the running one unless the signed args say downgrade', async () => {
    const dataDir = join(dir, 'c');
    const gateway = gatewayWith(dataDir);
    const release = { version: '3.0.0', commit: null, builtAt: '2999-01-01T00:00:00.000Z', layout: null };
    registerRemoteUpgrade({ ...deps(gateway, []), clock: systemClock(), release });
    const file = signed(dataDir, '2.0.0');
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
    expect(request(dataDir)).toMatchObject({ downgrade: true });
  });

  it('with upgrade.remote_runner set, starts that runner instead (hosts without the systemd helper)', async () => {
    const dataDir = join(dir, 'd');
    const gateway = gatewayWith(dataDir, { remote_runner: ['/usr/local/sbin/sg-upgrade'] });
    const runs: string[][] = [];
    registerRemoteUpgrade({ ...deps(gateway, runs), clock: systemClock() });
    const file = fakeRelease(dir, '2.0.0', { signWith: releaseKey.privateKey });
    expect(await call(gateway, { artifact: file })).toMatchObject({ data: { state: 'accepted' } });
    expect(runs[0]).toEqual([
      '/usr/local/sbin/sg-upgrade',
      'storegate',
      '--config',
      join(dir, 'storegate.yaml'),
      'upgrade',
      file,
      '--request-id',
      'req-9',
    ]);
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
  });
});
