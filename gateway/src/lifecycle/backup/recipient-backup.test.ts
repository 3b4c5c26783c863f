import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdentity, readIdentities, readRecipients } from './archive-keys.js';
import { createBackup } from './backup.js';
import { unpackBackup } from './restore.js';

let root: string;
let dataDir: string;
let identityFile: string;
let recipient: string;
let out: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sg-age-backup-'));
  dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const db = new Database(join(dataDir, 'registry.db'));
  db.exec("CREATE TABLE devices (id TEXT); INSERT INTO devices VALUES ('scale-1'), ('door-1')");
  db.close();
  const id = await newIdentity(new Date());
  recipient = id.recipient;
  identityFile = join(root, 'backup.key');
  writeFileSync(identityFile, id.text, { mode: 0o600 });
  out = join(root, 'store.sgbackup');
  // The gateway side holds only the public key (here: read back from the identity file's text, like age).
  await createBackup({ dataDir, configFile: null, storeId: 's1' }, out, {
    recipients: await readRecipients([recipient]),
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('backups to an age recipient key', () => {
  it('round trip: written with the public key, read with the identity', async () => {
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
    const header = readFileSync(out).subarray(0, 2000).toString('latin1');
    expect(header).toContain('"kdf":{"name":"age","wrapped_key":"');
    const { dir, manifest } = await unpackBackup(out, { identities: readIdentities([identityFile]) }, root);
    expect(manifest.files.map((f) => f.name)).toEqual(['data/registry.db']);
    const copy = new Database(join(dir, 'data/registry.db'), { readonly: true });
    expect(copy.prepare('SELECT id FROM devices ORDER BY id').pluck().all()).toEqual(['door-1', 'scale-1']);
    copy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a recipient file (age1 lines, comments) and an identity file work as recipients too', async () => {
    const file = join(root, 'recipients.txt');
    writeFileSync(file, `# the ops team\n${recipient}\n`);
    expect(await readRecipients([file, identityFile])).toEqual([recipient, recipient]);
  });

  it('refuses another identity, and a passphrase, with a clear error', async () => {
    const other = await newIdentity(new Date());
    const otherKey = other.text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
    await expect(unpackBackup(out, { identities: [otherKey] }, root)).rejects.toMatchObject({
      code: 'SG_BACKUP_IDENTITY',
      message: expect.stringContaining('none of the identities given can open'),
    });
    await expect(unpackBackup(out, 'a long enough passphrase', root)).rejects.toMatchObject({
      code: 'SG_BACKUP_IDENTITY',
      message: expect.stringContaining('encrypted to a recipient key'),
    });
  });

  it('refuses a tampered file: a changed body byte, and a changed wrapped key', async () => {
    const ids = { identities: readIdentities([identityFile]) };
    const bytes = readFileSync(out);
    const body = Buffer.from(bytes);
    body[body.length - 40]! ^= 0x01;
    writeFileSync(join(root, 'body.sgbackup'), body);
    await expect(unpackBackup(join(root, 'body.sgbackup'), ids, root)).rejects.toMatchObject({
      code: 'SG_BACKUP_INVALID',
    });
    // One character of the wrapped key (base64 of an age file) changed: age's header MAC refuses it.
    const text = bytes.toString('latin1');
    const at = text.indexOf('"wrapped_key":"') + 30;
    const header = Buffer.from(bytes);
    header[at] = header[at] === 0x41 ? 0x42 : 0x41;
    writeFileSync(join(root, 'header.sgbackup'), header);
    await expect(unpackBackup(join(root, 'header.sgbackup'), ids, root)).rejects.toMatchObject({
      code: 'SG_BACKUP_INVALID',
    });
  });

  it('refuses a recipient that is not an age key', async () => {
    await expect(
      createBackup({ dataDir, configFile: null, storeId: 's1' }, join(root, 'x'), {
        recipients: ['age1nope'],
      }),
    ).rejects.toMatchObject({ code: 'SG_BAD_ARGUMENT' });
  });
});
