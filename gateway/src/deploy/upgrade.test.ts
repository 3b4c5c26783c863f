import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/src/clock.js';
import { parseConfig } from '../config/load.js';
import { InstallLayout } from './layout.js';
import { writeManifest } from './manifest.js';
import { packTarball } from './release/build.js';
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
    const stage = join(root, 'stage');
    release(join(stage, 'storegate-2.0.0'), '2.0.0');
    const artifact = join(root, 'storegate-2.0.0.tar.gz');
    packTarball(stage, 'storegate-2.0.0', artifact);
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
        { artifact, requestId: 'req-1' },
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
