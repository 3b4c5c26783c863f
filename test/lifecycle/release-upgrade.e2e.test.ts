import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config/load.js';
import { loopbackProbe } from '../../gateway/src/deploy/gateway-probe.js';
import { InstallLayout } from '../../gateway/src/deploy/layout.js';
import { sha256File, writeManifest } from '../../gateway/src/deploy/manifest.js';
import { signRelease } from '../../gateway/src/deploy/release-signature.js';
import type { ServiceControl } from '../../gateway/src/deploy/service-control.js';
import { upgradeFromRequest } from '../../gateway/src/deploy/upgrade-from-request.js';
import { readUpgradeRecord } from '../../gateway/src/deploy/upgrade-record.js';
import { upgradeRequestFile, writeUpgradeRequest } from '../../gateway/src/deploy/upgrade-request.js';
import { systemClock } from '../../shared/src/clock.js';
import { ensureBuilt, eventually, type RunningGateway, startGateway, writeConfig } from '../cli/support.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { freePort } from '../support/peers.js';
import { fakeRelease, keyPair, signedCommand } from '../support/signed-release.js';
import { CloudConsumer } from '../uplink/harness.js';

/**
 * `release.upgrade` / `release.status` from a real Mosquitto cloud to a `storegate start` process, through the
 * handoff of a systemd host: the gateway checks the request and writes data_dir/upgrade-request.json, and the
 * root helper (`storegate upgrade --from-request`, here called directly: no systemd in the container) takes
 * it, checks it again and upgrades a release layout in a temporary root. Its service control stops and starts
 * this same gateway process, so the health gate, the record and the report after the restart are real.
 */
const STORE = 'store-6';
const PREFIX = `stores/${STORE}`;
const cloudKey = keyPair();
const rogue = keyPair();
const releaseKey = keyPair();
let dir: string;
let config: string;
let dataDir: string;
let incoming: string;
let good: string;
let broker: Mosquitto;
let consumer: CloudConsumer;
let gateway: RunningGateway;
let http: number;
let layout: InstallLayout;
const helperLog: string[] = [];

async function call(name: string, payload: (id: string) => string): Promise<Record<string, unknown>> {
  const id = `r-${Math.random().toString(36).slice(2)}`;
  await consumer.mqtt.publishAsync(`${PREFIX}/cmd/${name}`, payload(id), { qos: 1 });
  const topic = `${PREFIX}/cmd-response/${name}`;
  const find = () => consumer.messages.find((m) => m.topic === topic && m.payload.includes(id));
  await consumer.waitFor(
    () => find() !== undefined,
    30_000,
    `${name} response (${gateway.output().slice(-2000)})`,
  );
  return { ...JSON.parse(find()!.payload), request_id: id };
}

const signedUpgrade = (args: object, key = cloudKey.privateKey) =>
  call('release.upgrade', (id) => signedCommand(key, STORE, id, 'release.upgrade', args));
const messageOf = (answer: Record<string, unknown>) => String((answer.error as { message: string }).message);

async function online(): Promise<void> {
  const count = () =>
    consumer.messages.filter((m) => m.topic === `${PREFIX}/status` && m.payload.includes('"online"')).length;
  const before = count();
  gateway = await startGateway(config, http);
  await consumer.waitFor(() => count() > before, 30_000, 'gateway online');
}

/** The helper as storegate-upgrade.service runs it; "the service" is this test's gateway process. */
const starts: number[] = [];
const service: ServiceControl = {
  stop: async () => void (await gateway.stop()),
  start: async () => {
    starts.push(Date.now());
    gateway = await startGateway(config, http);
  },
  exited: async () => gateway.child.exitCode !== null || gateway.child.signalCode !== null,
  disable: async () => {},
};
const runHelper = () => {
  const loaded = loadConfig(config);
  return upgradeFromRequest(
    {
      layout,
      config: loaded,
      service,
      probe: loopbackProbe(loaded),
      clock: systemClock(),
      log: (l) => helperLog.push(l),
      releaseKeys: [releaseKey.publicKey],
    },
    { requestFile: upgradeRequestFile(dataDir), artifactDir: incoming, allowDowngrade: false },
  );
};

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sg-release-upgrade-'));
  dataDir = join(dir, 'data');
  incoming = join(dataDir, 'incoming');
  mkdirSync(incoming, { recursive: true });
  const keysFile = join(dir, 'release-keys.pem');
  writeFileSync(keysFile, releaseKey.publicPem, { mode: 0o644 });
  process.env.SG_RELEASE_KEYS_FILE = keysFile; // the gateway's own early check; the helper gets its keys below
  good = fakeRelease(incoming, '9.9.9', { signWith: releaseKey.privateKey });
  // The installed release the helper upgrades from (the gateway itself runs from this checkout).
  layout = new InstallLayout(join(dir, 'root'));
  const installed = layout.release('0.1.0');
  mkdirSync(join(installed, 'dist'), { recursive: true });
  writeFileSync(join(installed, 'dist/main.js'), '// 0.1.0\n');
  writeManifest(installed, {
    version: '0.1.0',
    commit: 'b'.repeat(40),
    built_at: '2026-01-01T00:00:00.000Z',
    node_abi: process.versions.modules,
    node_version: process.version,
    arch: process.arch,
    platform: process.platform,
  });
  layout.switchCurrent('0.1.0');
  broker = await startMosquitto();
  consumer = await CloudConsumer.connect(broker.url, [`${PREFIX}/#`]);
  http = await freePort();
  config = writeConfig(
    dir,
    [
      'data_dir: ./data',
      `store: { id: ${STORE} }`,
      `broker: { host: 127.0.0.1, port: ${await freePort()} }`,
      `http: { host: 127.0.0.1, port: ${http} }`,
      `cloud: { url: "${broker.url}", reconnect_min_ms: 50, reconnect_max_ms: 500, command_signing: { public_keys: [${JSON.stringify(cloudKey.publicPem)}] } }`,
    ].join('\n'),
  );
  await online();
}, 90_000);

afterAll(async () => {
  delete process.env.SG_RELEASE_KEYS_FILE;
  await gateway?.stop();
  await consumer?.close();
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('release.upgrade from the cloud, through the root helper', () => {
  it('refuses unsigned and forged commands and hands nothing over', async () => {
    const unsigned = await call('release.upgrade', (id) => JSON.stringify({ id, args: { artifact: good } }));
    expect(unsigned).toMatchObject({ status: 'error', error: { code: 'unauthorized' } });
    const forged = await signedUpgrade({ artifact: good }, rogue.privateKey);
    expect(forged).toMatchObject({
      status: 'error',
      error: { code: 'unauthorized', message: /bad_signature/ },
    });
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
  }, 60_000);

  it('refuses bad artifacts with a clear SG_ code and hands nothing over', async () => {
    const tampered = fakeRelease(incoming, '9.9.9', { tamper: true, signWith: releaseKey.privateKey });
    const changed = await signedUpgrade({ artifact: tampered });
    expect(changed).toMatchObject({ status: 'error', error: { code: 'failed' } });
    expect(messageOf(changed)).toMatch(/^SG_RELEASE_INVALID: .*changed: dist\/main\.js/);
    const garbage = join(incoming, 'garbage.tar.gz');
    writeFileSync(garbage, 'not a tarball');
    signRelease(
      garbage,
      {
        name: 'storegate',
        version: '9.9.9',
        commit: 'c',
        built_at: '2027',
        node_abi: '1',
        node_version: 'v1',
        arch: 'x',
        platform: 'linux',
      },
      releaseKey.privateKey,
    );
    expect(messageOf(await signedUpgrade({ artifact: garbage }))).toMatch(
      /^SG_RELEASE_INVALID: .*not a release tarball/,
    );
    const unsigned = fakeRelease(incoming, '9.9.8');
    expect(messageOf(await signedUpgrade({ artifact: unsigned }))).toMatch(
      /^SG_RELEASE_UNSIGNED: .*has no signature/,
    );
    const other = fakeRelease(incoming, '9.9.7', { signWith: rogue.privateKey });
    expect(messageOf(await signedUpgrade({ artifact: other }))).toMatch(/^SG_RELEASE_SIGNATURE: /);
    expect(messageOf(await signedUpgrade({ artifact: good, sha256: '0'.repeat(64) }))).toMatch(
      /^SG_RELEASE_INVALID: .*has sha256/,
    );
    expect(messageOf(await signedUpgrade({ artifact: 'https://example.com/storegate.tar.gz' }))).toMatch(
      /^SG_BAD_ARGUMENT: .*not on this gateway's disk/,
    );
    expect(messageOf(await signedUpgrade({ artifact: join(dir, 'storegate-9.9.9.tar.gz') }))).toMatch(
      /^SG_BAD_ARGUMENT: .*is not under .*incoming/,
    );
    expect(existsSync(upgradeRequestFile(dataDir))).toBe(false);
  }, 90_000);

  it('the helper refuses a request the gateway user tampered with, and stops nothing', async () => {
    // What a compromised gateway process could write: an unsigned release, asked for directly.
    writeUpgradeRequest(dataDir, {
      format: 'storegate-upgrade-request/1',
      request_id: 'forged-1',
      artifact: fakeRelease(incoming, '9.9.6'),
      force: true,
      downgrade: true,
      requested_at: Date.now(),
      from: '0.1.0',
    });
    await expect(runHelper()).rejects.toMatchObject({ code: 'SG_RELEASE_UNSIGNED' });
    expect(starts).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
    expect(layout.currentVersion()).toBe('0.1.0');
    expect(readUpgradeRecord(dataDir)).toMatchObject({ state: 'failed', request_id: 'forged-1' });
  }, 60_000);

  it('accepts a signed command for a signed artifact: the request file, then the helper upgrades and the restarted gateway reports it once', async () => {
    const r = await signedUpgrade({ artifact: `file://${good}`, sha256: sha256File(good), force: true });
    expect(r).toMatchObject({
      status: 'ok',
      data: { state: 'accepted', from: '0.1.0', to: '9.9.9', request_file: upgradeRequestFile(dataDir) },
    });
    expect(JSON.parse(readFileSync(upgradeRequestFile(dataDir), 'utf8'))).toMatchObject({
      request_id: r.request_id,
      artifact: good,
      sha256: sha256File(good),
      force: true,
      downgrade: false,
    });
    const again = await signedUpgrade({ artifact: good });
    expect(messageOf(again)).toMatch(/^SG_CONFLICT: /);

    const result = await runHelper();
    expect(result).toMatchObject({ from: '0.1.0', to: '9.9.9' });
    expect(layout.currentVersion()).toBe('9.9.9');
    expect(starts).toHaveLength(1);
    expect(helperLog).toContain('upgraded 0.1.0 -> 9.9.9');
    await consumer.waitFor(() => consumer.items.some((i) => i.type === 'release.upgraded'), 30_000, 'event');
    const event = consumer.items.find((i) => i.type === 'release.upgraded')!;
    expect(event).toMatchObject({
      stream: 'gateway/release',
      class: 'must_deliver',
      data: { from: '0.1.0', to: '9.9.9', request_id: r.request_id, forced: true },
    });
    await eventually(
      async () => (readUpgradeRecord(dataDir)?.reported_at ? true : undefined),
      'reported',
      15_000,
    );
    const status = await call('release.status', (id) => JSON.stringify({ id }));
    expect(status).toMatchObject({
      status: 'ok',
      data: { last_upgrade: { state: 'upgraded', from: '0.1.0', to: '9.9.9', request_id: r.request_id } },
    });
    // Not sent again by the next start.
    await gateway.stop();
    await online();
    await new Promise((done) => setTimeout(done, 3_000)); // one reporter interval (2 s) and some: nothing more
    const ids = consumer.items.filter((i) => i.type === 'release.upgraded').map((i) => i.id);
    expect(new Set(ids).size).toBe(1);
  }, 240_000);
});
