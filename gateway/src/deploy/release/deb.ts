import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MAINTAINER_SCRIPTS = ['postinst', 'prerm', 'postrm'] as const;

/** dpkg's name for this machine's architecture (amd64, arm64, armhf…). */
export function debArch(): string {
  return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
}

/**
 * The .deb of a staged release: the tree under /opt/storegate/releases/<version>, `storegate` in /usr/bin,
 * the unit in /lib/systemd/system, and maintainer scripts (deploy/debian/) that create the `storegate` user
 * and its 0700 directories, write the config once, point /opt/storegate/current at this release and enable
 * the unit. The staged tree is moved into the package root and back, not copied.
 */
export function buildDeb(stage: string, version: string, debFile: string): string {
  const root = join(dirname(debFile), 'deb-root');
  rmSync(root, { recursive: true, force: true });
  const releaseDir = join(root, 'opt/storegate/releases', version);
  mkdirSync(dirname(releaseDir), { recursive: true });
  renameSync(stage, releaseDir);
  try {
    const deploy = join(releaseDir, 'deploy');
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(
      join(root, 'usr/bin/storegate'),
      wrapper(readFileSync(join(deploy, 'storegate-wrapper.sh'), 'utf8')),
    );
    chmodSync(join(root, 'usr/bin/storegate'), 0o755);
    mkdirSync(join(root, 'lib/systemd/system'), { recursive: true });
    for (const unit of ['storegate.service', 'storegate-upgrade.service', 'storegate-upgrade.path']) {
      cpSync(join(deploy, unit), join(root, 'lib/systemd/system', unit));
    }
    const debian = join(root, 'DEBIAN');
    mkdirSync(debian);
    writeFileSync(join(debian, 'control'), control(version, installedKib(root)));
    for (const script of MAINTAINER_SCRIPTS) {
      const text = readFileSync(join(deploy, 'debian', script), 'utf8').replaceAll('@VERSION@', version);
      writeFileSync(join(debian, script), text);
      chmodSync(join(debian, script), 0o755);
    }
    rmSync(debFile, { force: true });
    // gzip: every dpkg since Debian 7 reads it, and it is quick to unpack on a Pi.
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, debFile], { stdio: 'pipe' });
  } finally {
    renameSync(releaseDir, stage);
    rmSync(root, { recursive: true, force: true });
  }
  return debFile;
}

/** The packaged wrapper lives at the real paths (install.sh fills in @PREFIX@ for a --root install). */
function wrapper(template: string): string {
  return template.replaceAll('@PREFIX@', '');
}

function control(version: string, kib: number): string {
  return [
    'Package: storegate',
    `Version: ${version}`,
    `Architecture: ${debArch()}`,
    'Maintainer: Storegate maintainers <storegate@users.noreply.github.com>',
    'Depends: nodejs (>= 20.11), passwd',
    'Section: net',
    'Priority: optional',
    `Installed-Size: ${kib}`,
    'Homepage: https://github.com/storegate/storegate',
    'Description: edge gateway for sensor-equipped stores',
    ' Storegate turns shelf load cells, door counters, people-counting cameras and staff-less checkout',
    ' lanes into store events and forwards them to the cloud through a durable outbox.',
    '',
  ].join('\n');
}

function installedKib(root: string): number {
  const out = execFileSync('du', ['-sk', root], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}
