import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config/load.js';
import { loopbackProbe } from '../../gateway/src/deploy/gateway-probe.js';
import { InstallLayout } from '../../gateway/src/deploy/layout.js';
import { readManifest, verifyRelease, writeManifest } from '../../gateway/src/deploy/manifest.js';
import { packTarball } from '../../gateway/src/deploy/release/build.js';
import { signRelease, verifyReleaseSignature } from '../../gateway/src/deploy/release-signature.js';
import { otherReleases, runningRelease } from '../../gateway/src/deploy/running-release.js';
import { uninstall } from '../../gateway/src/deploy/uninstall.js';
import { upgrade } from '../../gateway/src/deploy/upgrade.js';
import { readUpgradeRecord } from '../../gateway/src/deploy/upgrade-record.js';
import { systemClock } from '../../shared/src/clock.js';
import { eventually } from '../cli/support.js';
import { freePort } from '../support/peers.js';
import { keyPair } from '../support/signed-release.js';
import { ProcessService } from './process-service.js';

const REPO = resolve(import.meta.dirname, '../..');
const V1 = '0.1.0+t1';
const work = mkdtempSync(join(tmpdir(), 'sg-release-'));
const out = join(work, 'out');
const root = join(work, 'root');
const lines: string[] = [];
const signing = keyPair();
let tarball = '';
let deb = '';

/** A variant of the built release: unpacked, changed by `edit`, re-manifested as `version`, packed. */
function variant(version: string, edit: (dir: string) => void, manifest = true): string {
  const dir = join(work, `v-${version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  const name = `storegate-${version}`;
  execFileSync('mv', [join(dir, `storegate-${V1}`), join(dir, name)]);
  const release = join(dir, name);
  edit(release);
  if (manifest) {
    const m = readManifest(release);
    writeManifest(release, { ...m, version });
  }
  const file = join(work, `${name}.tar.gz`);
  packTarball(dir, name, file);
  signRelease(file, readManifest(release), signing.privateKey);
  rmSync(dir, { recursive: true, force: true });
  return file;
}

beforeAll(() => {
  // Built once for the whole file: dist/ comes from `npm run build` (npm test runs it first).
  const keyFile = join(work, 'release.key');
  writeFileSync(keyFile, signing.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  execFileSync(
    process.execPath,
    ['dist/gateway/src/deploy/release/build.js', '--out', out, '--version', V1, '--sign-key', keyFile],
    {
      cwd: REPO,
      stdio: 'pipe',
    },
  );
  tarball = join(out, `storegate-${V1}-linux-${process.arch}.tar.gz`);
  deb =
    readdirSync(out)
      .map((f) => join(out, f))
      .find((f) => f.endsWith('.deb')) ?? '';
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run release', () => {
  it('packs dist, production modules with the native addon, deploy/ and a manifest with version, commit, ABI, arch', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 }).split(
      '\n',
    );
    const top = `storegate-${V1}/`;
    for (const f of [
      'manifest.json',
      'dist/gateway/src/cli/bin.js',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'deploy/install.sh',
      'deploy/storegate.service',
      'dashboards/web/index.html',
    ]) {
      expect(list).toContain(top + f);
    }
    expect(list.some((f) => f.startsWith(`${top}dist/test/`))).toBe(false);
    expect(list.some((f) => f.startsWith(`${top}node_modules/typescript/`))).toBe(false);
    expect(list.some((f) => f.startsWith(`${top}node_modules/vitest/`))).toBe(false);
    const m = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, `${top}manifest.json`], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      }),
    );
    expect(m).toMatchObject({
      name: 'storegate',
      version: V1,
      node_abi: process.versions.modules,
      arch: process.arch,
    });
    expect(m.commit).toMatch(/^[0-9a-f]{40}/);
    expect(m.files['dist/gateway/src/cli/bin.js']).toMatch(/^sha256:[0-9a-f]{64}$/);
    // --sign-key: a detached signature over the tarball's sha256 and the manifest's fields.
    expect(verifyReleaseSignature(tarball, [signing.publicKey])).toMatchObject({
      version: V1,
      commit: m.commit,
      built_at: m.built_at,
    });
  });

  it('builds a .deb that depends on nodejs >= 20.11 and installs under /opt/storegate/releases/<version>', () => {
    const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
    expect(deb).toBe(join(out, `storegate_${V1}_${arch}.deb`));
    const info = execFileSync('dpkg-deb', ['-I', deb], { encoding: 'utf8' });
    expect(info).toMatch(/Package: storegate/);
    expect(info).toMatch(new RegExp(`Version: ${V1.replace('+', '\\+')}`));
    expect(info).toMatch(new RegExp(`Architecture: ${arch}`));
    expect(info).toMatch(/Depends: nodejs \(>= 20\.11\)/);
    for (const script of ['postinst', 'prerm', 'postrm']) expect(info).toContain(script);
    const contents = execFileSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(contents).toMatch(/-rwxr-xr-x root\/root .* \.\/usr\/bin\/storegate\n/);
    expect(contents).toContain('./lib/systemd/system/storegate.service');
    expect(contents).toContain('./lib/systemd/system/storegate-upgrade.path');
    expect(contents).toContain('./lib/systemd/system/storegate-upgrade.service');
    expect(contents).toContain(`./opt/storegate/releases/${V1}/manifest.json`);
    expect(contents).toContain(
      `./opt/storegate/releases/${V1}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`,
    );
    const postinst = execFileSync('dpkg-deb', ['--ctrl-tarfile', deb]);
    expect(postinst.length).toBeGreaterThan(0);
  });
});

describe('install.sh, upgrade, rollback, uninstall in a temporary root', () => {
  let service: ProcessService;
  let configFile: string;

  const deps = () => {
    const config = loadConfig(configFile);
    return {
      layout: new InstallLayout(root),
      config,
      service,
      probe: loopbackProbe(config),
      clock: systemClock(),
      log: (l: string) => lines.push(l),
      releaseKeys: [signing.publicKey],
    };
  };

  it('install.sh installs the artifact: current link, CLI on the PATH, config 0600 with example-only sections commented out', async () => {
    mkdirSync(root);
    execFileSync('bash', [join(REPO, 'deploy/install.sh'), '--root', root, tarball], { stdio: 'pipe' });
    const layout = new InstallLayout(root);
    expect(layout.currentVersion()).toBe(V1);
    configFile = join(root, 'etc/storegate/storegate.yaml');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'etc/storegate')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'var/lib/storegate')).mode & 0o777).toBe(0o700);
    // The remote-upgrade handoff: the helper's units, and the directory artifacts must be copied to.
    expect(statSync(join(root, 'var/lib/storegate/incoming')).mode & 0o777).toBe(0o700);
    for (const u of ['storegate-upgrade.path', 'storegate-upgrade.service']) {
      expect(existsSync(join(root, 'etc/systemd/system', u))).toBe(true);
    }
    const yaml = readFileSync(configFile, 'utf8');
    expect(yaml).toMatch(/^# serial: {2}# example-only/m);
    expect(yaml).toMatch(/^# {7}url: opc\.tcp:\/\/10\.20\.0\.15:4840/m);
    expect(yaml).toContain(`data_dir: ${root}/var/lib/storegate`);
    const config = loadConfig(configFile);
    expect(config.serial.devices).toEqual([]);
    expect(config.opcua.endpoints).toEqual([]);
    expect(config.checkout.lanes).toEqual([]);

    // Loopback and free ports for the test; a quick deadline for the bad release.
    const [http, mqtt] = [await freePort(), await freePort()];
    writeFileSync(
      configFile,
      yaml
        .replace(/^ {2}host: 0\.0\.0\.0\n {2}port: 8080/m, `  host: 127.0.0.1\n  port: ${http}`)
        .replace(/^ {2}host: 0\.0\.0\.0\n {2}port: 1883/m, `  host: 127.0.0.1\n  port: ${mqtt}`) +
        '\nupgrade:\n  health_deadline_ms: 90000\n',
    );
    // The CLI on the PATH reads the installed config by default.
    const doctor = execFileSync(join(root, 'usr/local/bin/storegate'), ['doctor'], { encoding: 'utf8' });
    expect(doctor).toContain(`${root}/var/lib/storegate`);
    service = new ProcessService(root, configFile);
    await service.start();
  }, 300_000);

  it('refuses an artifact whose files differ from its manifest, and one built for another Node ABI', async () => {
    const tampered = variant(
      '0.1.0+tampered',
      (dir) => writeFileSync(join(dir, 'dist/gateway/src/main.js'), 'process.exit(3);\n'),
      false,
    );
    // The directory name says 0.1.0+tampered, the manifest still V1 with V1's hashes.
    await expect(upgrade(deps(), { artifact: tampered })).rejects.toMatchObject({
      code: 'SG_RELEASE_INVALID',
    });
    await expect(
      upgrade(
        { ...deps(), target: { abi: '1', arch: process.arch, platform: process.platform } },
        { artifact: tampered },
      ),
    ).rejects.toThrow(/ABI|changed/);
    expect(new InstallLayout(root).currentVersion()).toBe(V1);
    expect(readdirSync(join(root, 'opt/storegate/releases'))).toEqual([V1]);
  }, 300_000);

  it('a release that fails its start is rolled back: the previous one runs and answers /healthz again', async () => {
    const bad = variant('0.1.0+bad', (dir) => {
      const main = join(dir, 'dist/gateway/src/main.js');
      writeFileSync(
        main,
        `throw new Error('release made to fail its start');\n${readFileSync(main, 'utf8')}`,
      );
    });
    await expect(upgrade(deps(), { artifact: bad, force: true })).rejects.toMatchObject({
      code: 'SG_UPGRADE_FAILED',
      message: expect.stringMatching(
        /0\.1\.0\+bad did not come up healthy .*rolled back to 0\.1\.0\+t1, which is healthy again/,
      ),
    });
    expect(service.output.join('')).toContain('release made to fail its start');
    expect(new InstallLayout(root).currentVersion()).toBe(V1);
    expect(service.starts.map((s) => s.split('/').pop())).toEqual([V1, '0.1.0+bad', V1]);
    const health = await loopbackProbe(loadConfig(configFile)).get('/healthz');
    expect(health?.status).toBe(200);
    // The databases were backed up before the new release could migrate them.
    const backups = readdirSync(join(root, 'var/lib/storegate/backups'));
    expect(backups.some((b) => b.startsWith(`upgrade-${V1}-to-0.1.0+bad-`))).toBe(true);
    // The outcome is recorded for the gateway that runs now, which reports it once (release.rolled_back).
    const dataDir = join(root, 'var/lib/storegate');
    expect(readUpgradeRecord(dataDir)).toMatchObject({
      state: 'rolled_back',
      from: V1,
      to: '0.1.0+bad',
      forced: true,
      problem: expect.stringMatching(/^SG_UPGRADE_FAILED: /),
    });
    await eventually(async () => (readUpgradeRecord(dataDir)?.reported_at ? true : undefined), 'reported');
  }, 400_000);

  it('a good release is switched to and left running; the previous release stays for a rollback', async () => {
    const good = variant('0.1.0+t2', (dir) => writeFileSync(join(dir, 'RELEASE-NOTE'), 't2\n'));
    const result = await upgrade(deps(), { artifact: good, force: true });
    expect(result).toMatchObject({ from: V1, to: '0.1.0+t2' });
    expect(new InstallLayout(root).currentVersion()).toBe('0.1.0+t2');
    expect(verifyRelease(join(root, 'opt/storegate/releases/0.1.0+t2'))).toEqual([]);
    expect(existsSync(join(root, 'opt/storegate/releases', V1))).toBe(true);
    expect((await loopbackProbe(loadConfig(configFile)).get('/healthz'))?.status).toBe(200);
    expect(lines).toContain(`upgraded ${V1} -> 0.1.0+t2`);
    const dataDir = join(root, 'var/lib/storegate');
    expect(readUpgradeRecord(dataDir)).toMatchObject({ state: 'upgraded', from: V1, to: '0.1.0+t2' });
    await eventually(async () => (readUpgradeRecord(dataDir)?.reported_at ? true : undefined), 'reported');
    // What release.status answers on the installed gateway: the version it runs and the ones beside it.
    const running = runningRelease(join(root, 'opt/storegate/current/dist/gateway/src/lifecycle'));
    expect(running).toMatchObject({ version: '0.1.0+t2' });
    expect(running.layout?.root).toBe(realpathSync(root));
    expect(otherReleases(running.layout!, running.version).sort()).toEqual(['0.1.0+bad', V1].sort());
  }, 400_000);

  // Removing three installed releases (~140 MB each) took 52 s on the loaded 2-core machine, once over 120 s.
  it('uninstall keeps config and data; --purge removes them', async () => {
    const config = loadConfig(configFile);
    const base = { layout: new InstallLayout(root), config, service, now: Date.now(), log: () => {} };
    await uninstall(base, { purge: false, force: true });
    expect(existsSync(join(root, 'opt/storegate'))).toBe(false);
    expect(existsSync(join(root, 'usr/local/bin/storegate'))).toBe(false);
    expect(existsSync(join(root, 'etc/systemd/system/storegate-upgrade.path'))).toBe(false);
    expect(existsSync(configFile)).toBe(true);
    expect(existsSync(join(root, 'var/lib/storegate/registry.db'))).toBe(true);
    await uninstall(base, { purge: true, force: true });
    expect(existsSync(join(root, 'etc/storegate'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/storegate'))).toBe(false);
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
  });
});
