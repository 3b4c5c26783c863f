import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File, writeManifest } from '../../gateway/src/deploy/manifest.js';
import { packTarball } from '../../gateway/src/deploy/release/build.js';
import { readUpgradeRecord, writeUpgradeRecord } from '../../gateway/src/deploy/upgrade-record.js';
import { ensureBuilt, eventually, type RunningGateway, startGateway, writeConfig } from '../cli/support.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { freePort } from '../support/peers.js';
import { CloudConsumer } from '../uplink/harness.js';

/**
 * `release.upgrade` / `release.status` from a real Mosquitto cloud to a `storegate start` process, with a test
 * runner (upgrade.remote_runner) that records its argv instead of calling systemd-run: unsigned and forged
 * requests and bad artifacts are refused without running anything; a signed one with a valid artifact starts
 * the runner with the `storegate upgrade` argv; the outcome the CLI records is reported after the restart.
 */
const STORE = 'store-6';
const PREFIX = `stores/${STORE}`;
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const rogue = generateKeyPairSync('ed25519').privateKey;
let dir: string;
let config: string;
let dataDir: string;
let argvFile: string;
let good: string;
let tampered: string;
let broker: Mosquitto;
let consumer: CloudConsumer;
let gateway: RunningGateway;
let http: number;

/** A small but real release tarball: files, a manifest for this Node, packed like `npm run release`. */
function fakeRelease(version: string, tamper = false): string {
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
  if (tamper) writeFileSync(join(release, 'dist/main.js'), 'process.exit(1);\n');
  const file = join(dir, `storegate-${version}${tamper ? '-tampered' : ''}.tar.gz`);
  packTarball(stage, `storegate-${version}`, file);
  return file;
}

function envelope(id: string, name: string, args: object, key = privateKey): string {
  const text = JSON.stringify({ id, name, store: STORE, args });
  return JSON.stringify({ signed: text, sig: sign(null, Buffer.from(text), key).toString('base64') });
}

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

const signedUpgrade = (args: object, key = privateKey) =>
  call('release.upgrade', (id) => envelope(id, 'release.upgrade', args, key));

async function online(): Promise<void> {
  const count = () =>
    consumer.messages.filter((m) => m.topic === `${PREFIX}/status` && m.payload.includes('"online"')).length;
  const before = count();
  gateway = await startGateway(config, http);
  await consumer.waitFor(() => count() > before, 30_000, 'gateway online');
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sg-release-upgrade-'));
  dataDir = join(dir, 'data');
  argvFile = join(dir, 'runner-argv.txt');
  const runner = join(dir, 'runner.sh');
  writeFileSync(runner, `printf '%s\\n' "$@" > '${argvFile}'\n`);
  good = fakeRelease('9.9.9');
  tampered = fakeRelease('9.9.9', true);
  broker = await startMosquitto();
  consumer = await CloudConsumer.connect(broker.url, [`${PREFIX}/#`]);
  http = await freePort();
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  config = writeConfig(
    dir,
    [
      'data_dir: ./data',
      `store: { id: ${STORE} }`,
      `broker: { host: 127.0.0.1, port: ${await freePort()} }`,
      `http: { host: 127.0.0.1, port: ${http} }`,
      `cloud: { url: "${broker.url}", reconnect_min_ms: 50, reconnect_max_ms: 500, command_signing: { public_keys: [${JSON.stringify(pem)}] } }`,
      `upgrade: { remote_runner: [/bin/sh, ${JSON.stringify(runner)}] }`,
    ].join('\n'),
  );
  await online();
}, 90_000);

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('release.upgrade from the cloud', () => {
  it('refuses unsigned and forged requests and runs nothing', async () => {
    const unsigned = await call('release.upgrade', (id) => JSON.stringify({ id, args: { artifact: good } }));
    expect(unsigned).toMatchObject({ status: 'error', error: { code: 'unauthorized' } });
    const forged = await signedUpgrade({ artifact: good }, rogue);
    expect(forged).toMatchObject({
      status: 'error',
      error: { code: 'unauthorized', message: /bad_signature/ },
    });
    expect(existsSync(argvFile)).toBe(false);
  }, 60_000);

  it('refuses a bad artifact with a clear SG_ code and runs nothing', async () => {
    const changed = await signedUpgrade({ artifact: tampered });
    expect(changed).toMatchObject({ status: 'error', error: { code: 'failed' } });
    expect(String((changed.error as { message: string }).message)).toMatch(
      /^SG_RELEASE_INVALID: .*changed: dist\/main\.js/,
    );
    const garbage = join(dir, 'garbage.tar.gz');
    writeFileSync(garbage, 'not a tarball');
    const notTar = await signedUpgrade({ artifact: garbage });
    expect(String((notTar.error as { message: string }).message)).toMatch(
      /^SG_RELEASE_INVALID: .*not a release tarball/,
    );
    const wrongSum = await signedUpgrade({ artifact: good, sha256: '0'.repeat(64) });
    expect(String((wrongSum.error as { message: string }).message)).toMatch(
      /^SG_RELEASE_INVALID: .*has sha256/,
    );
    const remote = await signedUpgrade({ artifact: 'https://example.com/storegate.tar.gz' });
    expect(String((remote.error as { message: string }).message)).toMatch(
      /^SG_BAD_ARGUMENT: .*not on this gateway's disk/,
    );
    expect(existsSync(argvFile)).toBe(false);
  }, 60_000);

  it('accepts a signed request for a valid artifact and starts the runner with the storegate upgrade argv', async () => {
    const r = await signedUpgrade({ artifact: `file://${good}`, sha256: sha256File(good), force: true });
    expect(r).toMatchObject({ status: 'ok', data: { state: 'accepted', from: '0.1.0', to: '9.9.9' } });
    await eventually(async () => (existsSync(argvFile) ? true : undefined), 'runner argv', 15_000);
    expect(readFileSync(argvFile, 'utf8').trim().split('\n')).toEqual([
      'storegate',
      '--config',
      config,
      'upgrade',
      good,
      '--request-id',
      r.request_id,
      '--force',
    ]);
    const again = await signedUpgrade({ artifact: good });
    expect(String((again.error as { message: string }).message)).toMatch(/^SG_CONFLICT: /);
  }, 60_000);

  it('after the (test runner) upgrade restarts the gateway: release.upgraded once, and release.status reports it', async () => {
    // What `storegate upgrade --request-id` records while it runs: in progress when the new gateway starts,
    // final once its health gate passed.
    const started = Date.now();
    const record = {
      state: 'in_progress' as const,
      from: '0.0.9',
      to: '0.1.0',
      artifact: good,
      started_at: started,
      forced: true,
      request_id: 'cloud-42',
    };
    writeUpgradeRecord(dataDir, record);
    await gateway.stop();
    await online();
    writeUpgradeRecord(dataDir, { ...record, state: 'upgraded', backup: '/b', finished_at: started + 1 });
    await consumer.waitFor(() => consumer.items.some((i) => i.type === 'release.upgraded'), 30_000, 'event');
    const event = consumer.items.find((i) => i.type === 'release.upgraded')!;
    expect(event).toMatchObject({
      stream: 'gateway/release',
      class: 'must_deliver',
      data: {
        from: '0.0.9',
        to: '0.1.0',
        running: '0.1.0',
        request_id: 'cloud-42',
        backup: '/b',
        forced: true,
      },
    });
    await eventually(
      async () => (readUpgradeRecord(dataDir)?.reported_at ? true : undefined),
      'reported',
      15_000,
    );
    const status = await call('release.status', (id) => JSON.stringify({ id }));
    expect(status).toMatchObject({
      status: 'ok',
      data: {
        current: '0.1.0',
        previous: [],
        last_upgrade: { state: 'upgraded', from: '0.0.9', to: '0.1.0' },
      },
    });
    // Not sent again by the next start.
    await gateway.stop();
    await online();
    await new Promise((r) => setTimeout(r, 3_000)); // one reporter interval (2 s) and some: nothing more
    const ids = consumer.items.filter((i) => i.type === 'release.upgraded').map((i) => i.id);
    expect(new Set(ids).size).toBe(1);
  }, 120_000);
});
