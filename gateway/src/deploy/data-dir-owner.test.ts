import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../registry/db.js';
import { applyMigrations, type Migration } from '../registry/migrations.js';
import { schemaVersions } from '../registry/sqlite-backup.js';
import { backupAsOwner, restoreAsOwner } from './data-dir-owner.js';

// As root (the container runs tests as root), a data_dir owned by nobody: the backup and restore must run as
// that uid and not follow what it planted. Not root: these fail, they do not skip.
const NOBODY = 65534;
const v1: Migration = {
  version: 1,
  description: 'items',
  up: (db) => db.exec('CREATE TABLE items (n INTEGER)'),
};
const v2: Migration = {
  version: 2,
  description: 'notes',
  up: (db) => db.exec('ALTER TABLE items ADD note TEXT'),
};

let opened: [string, number][] = [];

/** Adds o+x to the ancestors of `dir` that lack it; answers what it changed, to put back. */
function openAncestorsToOthers(dir: string): [string, number][] {
  const changed: [string, number][] = [];
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(d, mode | 0o001);
      changed.push([d, mode]);
    }
    if (dirname(d) === d) return changed;
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const name of readdirSync(dir)) chownSync(join(dir, name), uid, uid);
}

/** A data_dir owned by nobody holding shelves.db at schema 1. */
function userDataDir(): string {
  const data = tempDir('sg-owned-');
  const db = openDatabase(join(data, 'shelves.db'));
  applyMigrations(db, 'shelves', [v1]);
  db.close();
  chownTree(data, NOBODY);
  return data;
}

describe('the upgrade helper inside a data_dir the service user owns', () => {
  beforeAll(() => {
    expect(process.geteuid?.(), 'these tests chown a data_dir to uid 65534: run them as root').toBe(0);
    // The worker runs as 65534 from this checkout, as it runs from /opt/storegate in production: a checkout in a
    // 0700 directory (mktemp -d) must let others traverse it, as /opt does.
    opened = openAncestorsToOthers(process.cwd());
  });
  afterAll(() => {
    for (const [dir, mode] of opened) chmodSync(dir, mode);
  });

  it('backs up and restores as the owner of data_dir (the copies are that uid’s)', async () => {
    const data = userDataDir();
    const backup = await backupAsOwner(data, join(data, 'backups', 'upgrade-a-to-b'));
    expect(backup.files.map((f) => [f.name, f.versions, f.uid])).toEqual([
      ['shelves.db', { shelves: 1 }, NOBODY],
    ]);
    expect(statSync(join(backup.dir, 'shelves.db')).uid).toBe(NOBODY);
    expect(statSync(join(data, 'backups')).uid).toBe(NOBODY);

    const db = openDatabase(join(data, 'shelves.db'));
    applyMigrations(db, 'shelves', [v1, v2]);
    db.close();
    chownTree(data, NOBODY);
    expect(await restoreAsOwner(data, backup)).toEqual(['shelves.db']);
    expect(schemaVersions(join(data, 'shelves.db'))).toEqual({ shelves: 1 });
    expect(statSync(join(data, 'shelves.db')).uid).toBe(NOBODY);
  });

  it('does not follow data_dir/backups planted as a symlink to a directory root owns', async () => {
    const data = userDataDir();
    const outside = tempDir('sg-root-only-');
    chmodSync(outside, 0o755);
    symlinkSync(outside, join(data, 'backups'));
    await expect(backupAsOwner(data, join(data, 'backups', 'upgrade-a-to-b'))).rejects.toMatchObject({
      code: 'SG_IO',
    });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('does not copy a root-only file a database is symlinked to', async () => {
    const data = userDataDir();
    const outside = tempDir('sg-root-only-');
    chmodSync(outside, 0o755);
    const secret = openDatabase(join(outside, 'secret.db'));
    applyMigrations(secret, 'secret', [v1]);
    secret.close();
    chmodSync(join(outside, 'secret.db'), 0o600);
    symlinkSync(join(outside, 'secret.db'), join(data, 'registry.db'));
    const dest = join(data, 'backups', 'upgrade-a-to-b');
    await expect(backupAsOwner(data, dest)).rejects.toMatchObject({ code: 'SG_IO' });
    expect(existsSync(join(dest, 'registry.db'))).toBe(false);
  });

  it('restores nothing through a backup directory swapped for a symlink', async () => {
    const data = userDataDir();
    const backup = await backupAsOwner(data, join(data, 'backups', 'upgrade-a-to-b'));
    const outside = tempDir('sg-root-only-');
    mkdirSync(join(outside, 'upgrade-a-to-b'));
    const secret = openDatabase(join(outside, 'upgrade-a-to-b', 'shelves.db'));
    applyMigrations(secret, 'shelves', [v1]);
    secret.close();
    chmodSync(join(outside, 'upgrade-a-to-b', 'shelves.db'), 0o600);
    rmSync(join(data, 'backups'), { recursive: true });
    symlinkSync(outside, join(data, 'backups'));
    const db = openDatabase(join(data, 'shelves.db'));
    applyMigrations(db, 'shelves', [v1, v2]);
    db.close();
    chownTree(data, NOBODY);
    await expect(restoreAsOwner(data, backup)).rejects.toMatchObject({ code: 'SG_IO' });
  });
});
