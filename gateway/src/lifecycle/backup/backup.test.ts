import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup } from './backup.js';
import { unpackBackup } from './restore.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sg-backup-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PASSPHRASE = 'a long enough passphrase';

describe('createBackup', () => {
  it('takes a consistent snapshot while another connection keeps writing', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const live = new Database(join(dataDir, 'registry.db'));
    live.pragma('journal_mode = WAL');
    live.exec('CREATE TABLE a (n INTEGER); CREATE TABLE b (n INTEGER)');
    // Every transaction writes one row to each table: any consistent snapshot has equal counts.
    const pair = live.transaction((n: number) => {
      live.prepare('INSERT INTO a VALUES (?)').run(n);
      live.prepare('INSERT INTO b VALUES (?)').run(n);
    });
    live.transaction(() => {
      for (let i = 0; i < 20_000; i++) pair(i);
    })();
    let writes = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        for (let i = 0; i < 200; i++) pair(writes++);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const out = join(root, 'b.sgbackup');
    await createBackup({ dataDir, configFile: null, storeId: 's1' }, out, PASSPHRASE);
    writing = false;
    await writer;
    live.close();
    expect(writes).toBeGreaterThan(0);

    const { dir } = await unpackBackup(out, PASSPHRASE, root);
    const copy = new Database(join(dir, 'data', 'registry.db'), { readonly: true });
    const a = (copy.prepare('SELECT count(*) AS c FROM a').get() as { c: number }).c;
    const b = (copy.prepare('SELECT count(*) AS c FROM b').get() as { c: number }).c;
    copy.close();
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(20_000);
  }, 60_000);

  it('refuses to back up a damaged database instead of preserving the damage', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const db = new Database(join(dataDir, 'shelves.db'));
    db.exec('CREATE TABLE t (x TEXT); CREATE INDEX tx ON t (x)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 5_000; i++) insert.run(`row-${i}-${'x'.repeat(50)}`);
    })();
    db.close();
    // Overwrite a page in the middle of the file with garbage.
    const fd = openSync(join(dataDir, 'shelves.db'), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 20);
    closeSync(fd);
    const out = join(root, 'b.sgbackup');
    await expect(createBackup({ dataDir, configFile: null, storeId: 's1' }, out, PASSPHRASE)).rejects.toThrow(
      /SG_BACKUP_INVALID|integrity_check|malformed/,
    );
  });

  it('refuses a passphrase shorter than 8 characters', async () => {
    const root = tempDir();
    await expect(
      createBackup({ dataDir: root, configFile: null, storeId: 's1' }, join(root, 'x'), 'short'),
    ).rejects.toThrow(/at least 8/);
  });
});
