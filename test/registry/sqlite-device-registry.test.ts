import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoregateError } from '../../gateway/src/core/errors.js';
import { decodeHash } from '../../gateway/src/registry/credentials.js';
import { applyMigrations } from '../../gateway/src/registry/migrations.js';
import {
  openSqliteDeviceRegistry,
  type SqliteDeviceRegistry,
} from '../../gateway/src/registry/sqlite-device-registry.js';
import { FakeClock } from '../../shared/src/clock.js';
import { deviceKinds } from '../../shared/src/devices/tables.js';

let dir: string;
const open: SqliteDeviceRegistry[] = [];
function registry(file = join(dir, 'registry.db'), clock = new FakeClock(1_700_000_000_000)) {
  const r = openSqliteDeviceRegistry(file, { clock });
  open.push(r);
  return r;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StoregateError ? err.code : `not a StoregateError: ${String(err)}`;
  }
  return undefined;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-registry-'));
});
afterEach(() => {
  for (const r of open.splice(0)) r.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteDeviceRegistry', () => {
  it('adds, lists, shows, rotates, verifies and removes devices', async () => {
    const r = registry(':memory:');
    const { device, secret } = r.add({
      id: 'shelf-a3',
      kind: 'shelf',
      location: { zone: 'produce', aisle: '3', fixture: 'f2', shelf: 's1' },
      labels: { vendor: 'acme' },
    });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(device).toEqual({
      id: 'shelf-a3',
      kind: 'shelf',
      location: { zone: 'produce', aisle: '3', fixture: 'f2', shelf: 's1' },
      labels: { vendor: 'acme' },
      createdAt: 1_700_000_000_000,
      lastSeenAt: null,
      firmware: null,
    });
    r.add({ id: 'door-1', kind: 'door', location: { door: 'main' } });
    expect(r.list().map((d) => d.id)).toEqual(['door-1', 'shelf-a3']);
    expect(r.get('shelf-a3')?.labels).toEqual({ vendor: 'acme' });
    expect(r.get('nope')).toBeUndefined();

    expect(await r.verifySecret('shelf-a3', secret)).toBe(true);
    expect(await r.verifySecret('shelf-a3', secret)).toBe(true); // cached path
    expect(await r.verifySecret('shelf-a3', `${secret}x`)).toBe(false);
    expect(await r.verifySecret('door-1', secret)).toBe(false);
    expect(await r.verifySecret('ghost', secret)).toBe(false);
    expect(await r.verifySecret('bad id/#', secret)).toBe(false);
    expect(await r.verifySecret('shelf-a3', 'x'.repeat(10_000))).toBe(false);

    const rotated = r.rotateSecret('shelf-a3');
    expect(rotated).not.toBe(secret);
    expect(await r.verifySecret('shelf-a3', secret)).toBe(false);
    expect(await r.verifySecret('shelf-a3', rotated)).toBe(true);

    expect(r.remove('shelf-a3')).toBe(true);
    expect(r.remove('shelf-a3')).toBe(false);
    expect(await r.verifySecret('shelf-a3', rotated)).toBe(false);
    expect(codeOf(() => r.rotateSecret('shelf-a3'))).toBe('SG_DEVICE_UNKNOWN');
  });

  it('rejects bad input with stable codes and helpful hints', () => {
    const r = registry(':memory:');
    r.add({ id: 'scale-1', kind: 'scale' });
    expect(codeOf(() => r.add({ id: 'scale-1', kind: 'scale' }))).toBe('SG_DEVICE_EXISTS');
    expect(codeOf(() => r.add({ id: 'a/b', kind: 'scale' }))).toBe('SG_BAD_ARGUMENT');
    expect(codeOf(() => r.add({ id: 'x'.repeat(65), kind: 'scale' }))).toBe('SG_BAD_ARGUMENT');
    expect(codeOf(() => r.add({ id: 'x', kind: 'toaster' as never }))).toBe('SG_BAD_ARGUMENT');
    expect(codeOf(() => r.add({ id: 'x', kind: 'door', location: { room: '1' } as never }))).toBe(
      'SG_BAD_ARGUMENT',
    );
    expect(codeOf(() => r.add({ id: 'x', kind: 'door', labels: { 'bad key': 'v' } }))).toBe(
      'SG_BAD_ARGUMENT',
    );
    let hint: string | undefined;
    try {
      r.add({ id: 'x', kind: 'toaster' as never });
    } catch (err) {
      hint = (err as StoregateError).hint;
    }
    expect(hint).toBe(`valid kinds: ${deviceKinds.join(', ')}`);
    expect(deviceKinds).toEqual(expect.arrayContaining(['shelf', 'door', 'scale', 'pos']));
  });

  it('stores only scrypt hashes with their parameters: no plaintext secret anywhere in the files', () => {
    const file = join(dir, 'registry.db');
    const r = registry(file);
    const secrets = [r.add({ id: 'cam-1', kind: 'camera' }).secret, r.rotateSecret('cam-1')];
    secrets.push(r.add({ id: 'scan-1', kind: 'scanner' }).secret);
    r.close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT id, secret_hash FROM devices').all() as { secret_hash: string }[];
    db.close();
    for (const row of rows) {
      expect(row.secret_hash).toMatch(/^scrypt\$4096\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
      expect(decodeHash(row.secret_hash)?.params).toEqual({ N: 4096, r: 8, p: 1, keyLength: 32 });
    }
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
    for (const secret of secrets) {
      for (const bytes of files) {
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'base64url'))).toBe(false);
      }
    }
  });

  it('applies migrations once: reopening keeps data and version, other modules keep their own tables', () => {
    const file = join(dir, 'registry.db');
    const first = registry(file);
    first.add({ id: 'pos-1', kind: 'pos', location: { lane: 'lane-2' } });
    first.close();
    const second = registry(file);
    expect(second.get('pos-1')?.location).toEqual({ lane: 'lane-2' });
    second.close();

    const db = new Database(file);
    const planogram = [
      { version: 1, description: 'p', up: (d: typeof db) => d.exec('CREATE TABLE facings (x)') },
    ];
    expect(applyMigrations(db, 'planogram', planogram)).toBe(1);
    expect(applyMigrations(db, 'planogram', planogram)).toBe(1);
    const versions = db.prepare('SELECT module, version FROM schema_version ORDER BY module').all();
    expect(versions).toEqual([
      { module: 'devices', version: 1 },
      { module: 'planogram', version: 1 },
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // A database written by a newer storegate is refused, not silently downgraded.
    db.prepare("UPDATE schema_version SET version = 99 WHERE module = 'devices'").run();
    db.close();
    expect(codeOf(() => registry(file))).toBe('SG_IO');
  });

  it('rolls back a failing migration as a whole', () => {
    const db = new Database(':memory:');
    const steps = [
      { version: 1, description: 'ok', up: (d: typeof db) => d.exec('CREATE TABLE a (x)') },
      {
        version: 2,
        description: 'fails half way',
        up: (d: typeof db) => d.exec('CREATE TABLE b (x); CREATE TABLE a (y)'),
      },
    ];
    expect(() => applyMigrations(db, 'm', steps)).toThrow(/already exists/);
    expect(db.prepare("SELECT version FROM schema_version WHERE module='m'").get()).toEqual({ version: 1 });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    db.close();
  });

  it('works with two connections on one file (gateway and CLI at once)', async () => {
    const file = join(dir, 'registry.db');
    const clock = new FakeClock(1_700_000_000_000);
    const gateway = registry(file, clock);
    const cli = registry(file);
    const { secret } = cli.add({ id: 'shelf-1', kind: 'shelf' });
    expect(await gateway.verifySecret('shelf-1', secret)).toBe(true);

    gateway.touch('shelf-1', 1_700_000_001_000, '1.2.0');
    gateway.touch('shelf-1', 1_700_000_000_500);
    expect(gateway.get('shelf-1')?.lastSeenAt).toBe(1_700_000_001_000); // visible in-process at once
    expect(cli.get('shelf-1')?.lastSeenAt).toBeNull(); // not written per message
    clock.advance(1_000);
    expect(cli.get('shelf-1')).toMatchObject({ lastSeenAt: 1_700_000_001_000, firmware: '1.2.0' });

    const rotated = cli.rotateSecret('shelf-1');
    expect(await gateway.verifySecret('shelf-1', secret)).toBe(false);
    expect(await gateway.verifySecret('shelf-1', rotated)).toBe(true);
    cli.remove('shelf-1');
    expect(await gateway.verifySecret('shelf-1', rotated)).toBe(false);
    expect(gateway.list()).toEqual([]);
  });

  it('flushes pending last-seen on close', () => {
    const file = join(dir, 'registry.db');
    const r = registry(file);
    r.add({ id: 'door-9', kind: 'door' });
    r.touch('door-9', 1_700_000_005_000, 'fw-2');
    r.touch('unknown-device', 1_700_000_005_000);
    r.close();
    const reopened = registry(file);
    expect(reopened.get('door-9')).toMatchObject({ lastSeenAt: 1_700_000_005_000, firmware: 'fw-2' });
    expect(codeOf(() => r.add({ id: 'late', kind: 'door' }))).toBe('SG_NOT_READY');
  });
});
