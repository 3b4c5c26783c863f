import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/src/clock.js';
import { fakeRelease, keyPair } from '../../../test/support/signed-release.js';
import { parseConfig } from '../config/load.js';
import { InstallLayout } from './layout.js';
import { writeManifest } from './manifest.js';
import type { ServiceControl } from './service-control.js';
import { upgrade } from './upgrade.js';
import { readUpgradeRecord } from './upgrade-record.js';

const root = mkdtempSync(join(tmpdir(), 'sg-upgrade-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A minimal release directory with a manifest for this Node. */
function release(dir: string, version: string): void {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist/main.js'), `// ${version}\n`);
  writeManifest(dir, {
    version,
    commit: 'c'.repeat(40),
    built_at: new Date().toISOString(),
    node_abi: process.versions.modules,
    node_version: process.version,
    arch: process.arch,
    platform: process.platform,
  });
}

describe('upgrade when the database backup fails', () => {
  it('starts the current release again, switches nothing and records the failure', async () => {
    const layout = new InstallLayout(root);
    release(layout.release('1.0.0'), '1.0.0');
    layout.switchCurrent('1.0.0');
    const artifact = fakeRelease(root, '2.0.0');
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    // Not a database: the backup (online backup + integrity_check) cannot copy it.
    writeFileSync(join(dataDir, 'registry.db'), 'SQLite format 3\0 and then garbage'.repeat(200));
    const calls: string[] = [];
    const service: ServiceControl = {
      start: async () => void calls.push(`start ${layout.currentVersion()}`),
      stop: async () => void calls.push('stop'),
      exited: async () => false,
      disable: async () => {},
    };
    const config = { ...parseConfig({ store: { id: 's1' } }), dataDir };
    const lines: string[] = [];
    await expect(
      upgrade(
        {
          layout,
          config,
          service,
          probe: { get: async () => ({ status: 200, body: '' }) },
          clock: systemClock(),
          log: (l) => lines.push(l),
        },
        { artifact, requestId: 'req-1', allowUnsigned: true },
      ),
    ).rejects.toThrow(/registry\.db/);
    expect(calls).toEqual(['stop', 'start 1.0.0']);
    expect(layout.currentVersion()).toBe('1.0.0');
    expect(lines.some((l) => l.includes('the database backup failed'))).toBe(true);
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      state: 'failed',
      from: '1.0.0',
      to: '2.0.0',
      request_id: 'req-1',
      problem: expect.stringContaining('registry.db'),
    });
  });
});

describe('upgrade of an artifact without a trusted signature', () => {
  it('refuses it before stopping anything, unless --allow-unsigned; records why', async () => {
    const base = join(root, 'sig');
    const layout = new InstallLayout(base);
    release(layout.release('1.0.0'), '1.0.0');
    layout.switchCurrent('1.0.0');
    const dataDir = join(base, 'data');
    mkdirSync(dataDir);
    const trusted = keyPair();
    const calls: string[] = [];
    const deps = {
      layout,
      config: { ...parseConfig({ store: { id: 's1' } }), dataDir },
      service: {
        start: async () => void calls.push('start'),
        stop: async () => void calls.push('stop'),
        exited: async () => false,
        disable: async () => {},
      },
      probe: {
        get: async () => ({
          status: 200,
          body: 'storegate_feature_up{feature="outbox"} 1\nstoregate_feature_up{feature="broker"} 1\n',
        }),
      },
      clock: systemClock(),
      log: () => {},
      releaseKeys: [trusted.publicKey],
    };
    const unsigned = fakeRelease(base, '2.0.0');
    await expect(upgrade(deps, { artifact: unsigned })).rejects.toMatchObject({
      code: 'SG_RELEASE_UNSIGNED',
    });
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      state: 'failed',
      to: null,
      problem: expect.stringMatching(/^SG_RELEASE_UNSIGNED: /),
    });
    const rogue = fakeRelease(base, '2.0.1', { signWith: keyPair().privateKey });
    await expect(upgrade(deps, { artifact: rogue })).rejects.toMatchObject({ code: 'SG_RELEASE_SIGNATURE' });
    expect(calls).toEqual([]);
    expect(layout.currentVersion()).toBe('1.0.0');
    expect(existsSync(layout.release('2.0.0'))).toBe(false);
    // A signed one gets past the signature to the quiet gate and the switch (the service here is a stub).
    const signed = fakeRelease(base, '2.0.2', { signWith: trusted.privateKey });
    await upgrade(deps, { artifact: signed, force: true });
    expect(layout.currentVersion()).toBe('2.0.2');
    await upgrade(deps, { artifact: unsigned, force: true, allowUnsigned: true });
    expect(layout.currentVersion()).toBe('2.0.0');
  });
});
