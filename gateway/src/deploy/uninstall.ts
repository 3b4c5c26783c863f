import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { StoregateError } from '../core/errors.js';
import { loopbackProbe, storeActivity } from './gateway-probe.js';
import type { InstallLayout } from './layout.js';
import type { ServiceControl } from './service-control.js';

export interface UninstallDeps {
  layout: InstallLayout;
  config: LoadedConfig;
  service: ServiceControl;
  now: number;
  log(line: string): void;
}

/**
 * `storegate uninstall [--purge]`: stop and disable the service, hand the .deb back to dpkg when it was
 * installed that way, and remove every release, the unit and the CLI wrapper. Config and data (device
 * credentials, unsent events) stay unless `purge`; purge removes them and the `storegate` user too.
 */
export async function uninstall(
  deps: UninstallDeps,
  options: { purge: boolean; force: boolean },
): Promise<string[]> {
  const { layout, config, log } = deps;
  const real = resolve(layout.root) === '/';
  if (!options.force) {
    const a = await storeActivity(loopbackProbe(config), deps.now, config.upgrade.calibration_idle_ms);
    if (a.laneSessions || a.calibrationOpen) {
      throw new StoregateError(
        'SG_UPGRADE_BLOCKED',
        a.laneSessions ? `${a.laneSessions} lane session(s) open` : 'a shelf calibration is in progress',
        { hint: 'wait for the lane to close, or pass --force' },
      );
    }
  }
  await deps.service.stop();
  await deps.service.disable();
  if (real) {
    try {
      execFileSync('systemctl', ['disable', '--now', 'storegate-upgrade.path'], { stdio: 'pipe' });
    } catch {
      // not installed, or no systemd
    }
  }
  if (real && dpkgHas('storegate')) {
    log(`dpkg ${options.purge ? '--purge' : '--remove'} storegate`);
    execFileSync('dpkg', [options.purge ? '--purge' : '--remove', 'storegate'], { stdio: 'inherit' });
  }
  const paths = [
    layout.base,
    join(layout.root, 'etc/systemd/system/storegate.service'),
    join(layout.root, 'etc/systemd/system/storegate-upgrade.service'),
    join(layout.root, 'etc/systemd/system/storegate-upgrade.path'),
    join(layout.root, 'usr/local/bin/storegate'),
  ];
  if (options.purge) paths.push(join(layout.root, 'etc/storegate'), config.dataDir);
  const removed: string[] = [];
  for (const path of paths) {
    if (resolve(path) === '/' || resolve(path) === resolve(layout.root)) continue;
    if (!existsSync(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
    log(`removed ${path}`);
  }
  if (real && options.purge && userExists('storegate')) {
    execFileSync('userdel', ['storegate']);
    log('removed user storegate');
  }
  if (!options.purge) {
    log(
      `kept ${join(layout.root, 'etc/storegate')} and ${config.dataDir} (device credentials, unsent events): --purge removes them`,
    );
  }
  return removed;
}

function dpkgHas(pkg: string): boolean {
  try {
    const status = execFileSync('dpkg-query', ['--status', pkg], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return /^Status: install ok installed$/m.test(status);
  } catch {
    return false;
  }
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', [name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
