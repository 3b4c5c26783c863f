import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/src/clock.js';
import { fakeRelease, keyPair } from '../../../test/support/signed-release.js';
import { main } from '../cli/index.js';
import { parseConfig } from '../config/load.js';
import { InstallLayout } from './layout.js';
import { writeManifest } from './manifest.js';
import { upgradeFromRequest } from './upgrade-from-request.js';
import { readUpgradeRecord } from './upgrade-record.js';
import { type UpgradeRequest, upgradeRequestFile, writeUpgradeRequest } from './upgrade-request.js';

const work = mkdtempSync(join(tmpdir(), 'sg-upgrade-helper-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const trusted = keyPair();
const healthy = 'storegate_feature_up{feature="outbox"} 1\nstoregate_feature_up{feature="broker"} 1\n';

let root: string;
let dataDir: string;
let incoming: string;
let layout: InstallLayout;
let calls: string[];

beforeEach(() => {
  root = mkdtempSync(join(work, 'root-'));
  layout = new InstallLayout(root);
  const installed = layout.release('1.0.0');
  mkdirSync(join(installed, 'dist'), { recursive: true });
  writeFileSync(join(installed, 'dist/main.js'), '// 1.0.0\n');
  writeManifest(installed, {
    version: '1.0.0',
    commit: 'a'.repeat(40),
    built_at: '2026-06-01T00:00:00.000Z',
    node_abi: process.versions.modules,
    node_version: process.version,
    arch: process.arch,
    platform: process.platform,
  });
  layout.switchCurrent('1.0.0');
  dataDir = join(root, 'var/lib/storegate');
  incoming = join(dataDir, 'incoming');
  mkdirSync(incoming, { recursive: true });
  calls = [];
});

const deps = () => ({
  layout,
  config: { ...parseConfig({ store: { id: 's1' } }), dataDir },
  service: {
    start: async () => void calls.push(`start ${layout.currentVersion()}`),
    stop: async () => void calls.push('stop'),
    exited: async () => false,
    disable: async () => {},
  },
  probe: { get: async () => ({ status: 200, body: healthy }) },
  clock: systemClock(),
  log: () => {},
  releaseKeys: [trusted.publicKey],
});
const policy = (allowDowngrade = false) => ({
  requestFile: upgradeRequestFile(dataDir),
  artifactDir: incoming,
  allowDowngrade,
});
/** What the gateway writes for an accepted release.upgrade. */
const ask = (artifact: string, extra: Partial<UpgradeRequest> = {}) =>
  writeUpgradeRequest(dataDir, {
    format: 'storegate-upgrade-request/1',
    request_id: 'req-7',
    artifact,
    force: true,
    downgrade: false,
    requested_at: Date.now(),
    from: '1.0.0',
    ...extra,
  });

/** The helper refused: the code, nothing stopped or switched, the request gone, the refusal recorded. */
async function refused(code: string, message: RegExp, allowDowngrade = false) {
  await expect(upgradeFromRequest(deps(), policy(allowDowngrade))).rejects.toMatchObject({
    code,
    message: expect.stringMatching(message),
  });
  expect(calls).toEqual([]);
  expect(layout.currentVersion()).toBe('1.0.0');
  expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
  expect(readUpgradeRecord(dataDir)).toMatchObject({
    state: 'failed',
    to: null,
    request_id: 'req-7',
    problem: expect.stringMatching(new RegExp(`^${code}: `)),
  });
}

describe('the root upgrade helper (storegate upgrade --from-request)', () => {
  it('upgrades to a signed artifact from the incoming directory and records the request id', async () => {
    ask(fakeRelease(incoming, '2.0.0', { signWith: trusted.privateKey }));
    const result = await upgradeFromRequest(deps(), policy());
    expect(result).toMatchObject({ from: '1.0.0', to: '2.0.0' });
    expect(calls).toEqual(['stop', 'start 2.0.0']);
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      state: 'upgraded',
      from: '1.0.0',
      to: '2.0.0',
      request_id: 'req-7',
      artifact: join(incoming, 'storegate-2.0.0.tar.gz'),
    });
  });

  it('refuses an artifact outside the incoming directory, by path, by .., by symlink and through a symlinked directory', async () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const outside = fakeRelease(elsewhere, '2.0.0', { signWith: trusted.privateKey });
    ask(outside);
    await refused('SG_BAD_ARGUMENT', /is not under .*incoming/);
    ask(join(incoming, '..', '..', '..', '..', 'elsewhere', 'storegate-2.0.0.tar.gz'));
    await refused('SG_BAD_ARGUMENT', /is not under/);
    symlinkSync(outside, join(incoming, 'link.tar.gz'));
    ask(join(incoming, 'link.tar.gz'));
    await refused('SG_BAD_ARGUMENT', /is not under/);
    // A directory inside incoming/ that is a symlink out of it (what a swap during the check would leave).
    symlinkSync(elsewhere, join(incoming, 'sub'));
    ask(join(incoming, 'sub', 'storegate-2.0.0.tar.gz'));
    await refused('SG_BAD_ARGUMENT', /is not under/);
  });

  it('refuses an unsigned artifact, one signed by another key, and a sha256 that does not match', async () => {
    ask(fakeRelease(incoming, '2.0.0'));
    await refused('SG_RELEASE_UNSIGNED', /has no signature/);
    ask(fakeRelease(incoming, '2.0.1', { signWith: keyPair().privateKey }));
    await refused('SG_RELEASE_SIGNATURE', /not signed by any/);
    ask(fakeRelease(incoming, '2.0.2', { signWith: trusted.privateKey }), { sha256: '0'.repeat(64) });
    await refused('SG_RELEASE_INVALID', /has sha256/);
  });

  it('refuses a release built before the running one, even when the request says downgrade', async () => {
    const old = fakeRelease(incoming, '0.9.0', {
      signWith: trusted.privateKey,
      builtAt: '2026-01-01T00:00:00.000Z',
    });
    ask(old);
    await refused('SG_CONFLICT', /built before the running 1\.0\.0/);
    ask(old, { downgrade: true });
    await refused('SG_CONFLICT', /built before the running/);
    ask(old, { downgrade: true });
    await upgradeFromRequest(deps(), policy(true));
    expect(layout.currentVersion()).toBe('0.9.0');
  });

  it('refuses a request that is not one (bad JSON, unknown fields, a symlink) and removes it', async () => {
    const file = upgradeRequestFile(dataDir);
    writeFileSync(file, '{"format": "storegate-upgrade-request/1", "artifact": "/etc/shadow"');
    await expect(upgradeFromRequest(deps(), policy())).rejects.toThrow(/not JSON/);
    writeFileSync(file, JSON.stringify({ format: 'storegate-upgrade-request/1', command: 'rm -rf /' }));
    await expect(upgradeFromRequest(deps(), policy())).rejects.toThrow(/not a valid upgrade request/);
    symlinkSync('/etc/passwd', file);
    await expect(upgradeFromRequest(deps(), policy())).rejects.toThrow(/not a plain file/);
    expect(existsSync(file)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('refuses when the config moves data_dir away from the request directory', async () => {
    ask(fakeRelease(incoming, '2.0.0', { signWith: trusted.privateKey }));
    const moved = { ...deps(), config: { ...deps().config, dataDir: join(root, 'etc') } };
    await expect(upgradeFromRequest(moved, policy())).rejects.toMatchObject({ code: 'SG_CONFLICT' });
    expect(calls).toEqual([]);
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
  });

  it('storegate upgrade --from-request takes the request and records the refusal when the config does not load', async () => {
    ask(fakeRelease(incoming, '2.0.0', { signWith: trusted.privateKey }));
    const broken = join(root, 'storegate.yaml');
    writeFileSync(broken, 'store: { id: "Not A Valid Id" }\nno_such_section: 1\n');
    const code = await main([
      'node',
      'storegate',
      '--config',
      broken,
      'upgrade',
      '--from-request',
      upgradeRequestFile(dataDir),
      '--root',
      root,
    ]);
    expect(code).not.toBe(0);
    // Taken: the path unit would otherwise start the helper again and again.
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      state: 'failed',
      request_id: 'req-7',
      problem: expect.stringMatching(/^SG_CONFIG_INVALID: /),
    });
    expect(layout.currentVersion()).toBe('1.0.0');
  });
});
