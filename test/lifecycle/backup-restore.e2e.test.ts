import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type RunningGateway, runCli, startGateway, writeConfig } from '../cli/support.js';
import { freePort } from '../support/peers.js';

/**
 * The installer's backup path with the built CLI against a real gateway process: back up while it runs,
 * refuse a restore under it, refuse a changed file and a wrong passphrase without touching anything, then
 * lose the whole data dir (a dead SD card) and restore it.
 */
let dir: string;
let config: string;
let httpPort: number;
let gateway: RunningGateway | undefined;
const PASS = { SG_BACKUP_PASSPHRASE: 'correct horse battery staple' };

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sg-backup-e2e-'));
  httpPort = await freePort();
  const brokerPort = await freePort();
  config = writeConfig(
    dir,
    [
      'data_dir: ./data',
      'log: { level: warn }',
      'store: { id: store-17 }',
      `broker: { host: 127.0.0.1, port: ${brokerPort} }`,
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
    ].join('\n'),
  );
  const catalog = join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify({ items: [{ gtin: '4006381333931', sku: 'pen', grams: 12 }] }));
  expect((await runCli(config, ['device', 'add', 'shelf-a1', '--kind', 'shelf'])).code).toBe(0);
  expect((await runCli(config, ['catalog', 'import', catalog])).code).toBe(0);
  gateway = await startGateway(config, httpPort);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('storegate backup / restore', () => {
  const file = () => join(dir, 'store-17.sgbackup');

  it('backs up while the gateway runs and refuses to restore under it', async () => {
    const made = await runCli(config, ['backup', file(), '--json'], PASS);
    expect(made.code, made.stderr).toBe(0);
    const result = JSON.parse(made.stdout) as { manifest: { files: { name: string }[] } };
    const names = result.manifest.files.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['data/registry.db', 'data/checkout.db', 'config/storegate.yaml']),
    );
    expect(names).not.toContain('data/outbox.db');
    expect(names).toContain('data/outbox.state.json');
    // Nothing readable inside: the device id and the config text are encrypted.
    const bytes = readFileSync(file());
    expect(bytes.includes(Buffer.from('shelf-a1'))).toBe(false);
    expect(bytes.includes(Buffer.from('data_dir'))).toBe(false);

    const refused = await runCli(config, ['restore', file()], PASS);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('SG_GATEWAY_RUNNING');
    await gateway?.stop();
    gateway = undefined;
  }, 60_000);

  it('refuses a wrong passphrase, a changed byte and a truncated file, changing nothing', async () => {
    const wrong = await runCli(config, ['restore', file()], { SG_BACKUP_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('SG_BACKUP_PASSPHRASE');

    const original = readFileSync(file());
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    const tampered = join(dir, 'tampered.sgbackup');
    writeFileSync(tampered, flipped);
    const bad = await runCli(config, ['restore', tampered], PASS);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('SG_BACKUP_INVALID');

    const truncated = join(dir, 'truncated.sgbackup');
    writeFileSync(truncated, original.subarray(0, original.length - 100));
    const cut = await runCli(config, ['restore', truncated], PASS);
    expect(cut.stderr).toContain('SG_BACKUP_INVALID');

    expect(existsSync(join(dir, 'data', 'registry.db'))).toBe(true);
    const list = await runCli(config, ['device', 'list', '--json']);
    expect(list.stdout).toContain('shelf-a1');
  }, 60_000);

  it('rebuilds a lost data dir and config from the backup', async () => {
    rmSync(join(dir, 'data'), { recursive: true, force: true });
    const configText = readFileSync(config, 'utf8');
    writeFileSync(config, `${configText}\n# edited after the backup\n`);
    const restored = await runCli(config, ['restore', file()], PASS);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(configText);
    // The config it replaced stays beside it.
    expect(readdirSync(dir).some((f) => f.startsWith('storegate.yaml.pre-restore-'))).toBe(true);
    const list = await runCli(config, ['device', 'list', '--json']);
    expect(list.stdout).toContain('shelf-a1');
    const items = await runCli(config, ['catalog', 'show', '4006381333931', '--json']);
    expect(items.stdout).toContain('4006381333931');
    // The restored gateway starts on the restored data.
    gateway = await startGateway(config, httpPort);
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect([200, 503]).toContain(res.status);
    // The outbox died with the card: the restored state file makes the fresh one report it (gateway.data_loss).
    expect(gateway.output()).toContain('outbox lost');
  }, 90_000);

  it('to a recipient key: keygen, backup with only the public key, restore with the identity', async () => {
    const key = join(dir, 'backup.key');
    const made = await runCli(config, ['backup', 'keygen', '--out', key]);
    expect(made.code, made.stderr).toBe(0);
    const recipient = /public key \(for --recipient\): (age1[0-9a-z]+)/.exec(made.stdout)?.[1];
    expect(recipient).toBeDefined();
    const again = await runCli(config, ['backup', 'keygen', '--out', key]);
    expect(again.stderr).toContain('SG_CONFLICT');
    // No passphrase in the environment: the gateway side needs none.
    const aged = join(dir, 'aged.sgbackup');
    const backup = await runCli(config, ['backup', aged, '--recipient', recipient!]);
    expect(backup.code, backup.stderr).toBe(0);
    await gateway?.stop();
    gateway = undefined;
    const other = join(dir, 'other.key');
    await runCli(config, ['backup', 'keygen', '--out', other]);
    const refused = await runCli(config, ['restore', aged, '--identity', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('SG_BACKUP_IDENTITY');
    const withPass = await runCli(config, ['restore', aged], PASS);
    expect(withPass.stderr).toContain('SG_BACKUP_IDENTITY');
    // Neither secret given: the error names what this backup needs (an identity), not a passphrase.
    const withNothing = await runCli(config, ['restore', aged]);
    expect(withNothing.stderr).toContain('SG_BACKUP_IDENTITY');
    expect(withNothing.stderr).toContain('--identity');
    rmSync(join(dir, 'data', 'registry.db'));
    const restored = await runCli(config, ['restore', aged, '--identity', key]);
    expect(restored.code, restored.stderr).toBe(0);
    const list = await runCli(config, ['device', 'list', '--json']);
    expect(list.stdout).toContain('shelf-a1');
  }, 90_000);
});
