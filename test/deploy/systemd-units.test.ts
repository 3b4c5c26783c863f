import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { upgradeRequestFile } from '../../gateway/src/deploy/upgrade-request.js';

/**
 * deploy/'s systemd units as systemd reads them (`systemd-analyze verify`: works on unit files without a
 * running systemd), and the remote-upgrade handoff they wire up: the path the gateway writes is the one the
 * path unit watches and the one the root helper takes.
 */
const DEPLOY = resolve('deploy');
const UNITS = ['storegate.service', 'storegate-upgrade.service', 'storegate-upgrade.path'];
const unit = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');
const setting = (text: string, key: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

beforeAll(() => {
  if (spawnSync('systemd-analyze', ['--version']).status === 0) return;
  if (process.geteuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', '-qq', 'systemd'], { stdio: 'pipe' });
    return;
  }
  throw new Error('systemd-analyze is missing: sudo apt-get install systemd');
}, 300_000);

describe('deploy/ systemd units', () => {
  it('pass systemd-analyze verify with no warnings', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...UNITS.map((u) => join(DEPLOY, u))], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    // Unknown keys and bad values are only warnings ("…, ignoring"): they count as failures here.
    expect(r.stderr.trim()).toBe('');
  });

  it('wire the handoff: the path unit watches the file the gateway writes, and the helper takes that file', () => {
    const request = upgradeRequestFile('/var/lib/storegate');
    expect(setting(unit('storegate-upgrade.path'), 'PathExists')).toEqual([request]);
    expect(setting(unit('storegate-upgrade.path'), 'Unit')).toEqual(['storegate-upgrade.service']);
    const helper = unit('storegate-upgrade.service');
    expect(setting(helper, 'Type')).toEqual(['oneshot']);
    expect(setting(helper, 'User')).toEqual([]); // root: it stops and starts storegate.service
    const [exec] = setting(helper, 'ExecStart');
    expect(exec).toContain(`upgrade --from-request ${request} --artifact-dir /var/lib/storegate/incoming`);
    expect(exec).not.toContain('--allow-unsigned');
    // The gateway runs as storegate and can write only its state directory, where the request goes.
    const gateway = unit('storegate.service');
    expect(setting(gateway, 'User')).toEqual(['storegate']);
    expect(setting(gateway, 'ReadWritePaths')).toEqual(['/var/lib/storegate']);
    expect(setting(gateway, 'NoNewPrivileges')).toEqual(['true']);
  });
});
