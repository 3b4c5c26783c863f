import { chownSync, copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { snapshotDatabases } from '../lifecycle/backup/backup.js';
import { schemaVersions } from '../registry/sqlite-backup.js';

export interface DataBackup {
  dir: string;
  files: Array<{ name: string; versions: Record<string, number>; uid: number; gid: number }>;
}

/**
 * Before a new release runs its (forward-only) migrations: an online backup of every SQLite file in data_dir
 * (the outbox too: a rollback may need it) with the schema versions it holds, so a rollback can give the
 * previous release files it can open. Copied and integrity-checked by the same code as `storegate backup`.
 */
export async function backupDataDir(dataDir: string, dest: string): Promise<DataBackup> {
  if (!existsSync(dataDir)) return { dir: dest, files: [] };
  const names = readdirSync(dataDir)
    .filter((n) => n.endsWith('.db') && statSync(join(dataDir, n)).isFile())
    .sort();
  const copies = await snapshotDatabases(dataDir, dest, names);
  const files = copies.map((copy) => {
    const name = basename(copy);
    const { uid, gid } = statSync(join(dataDir, name));
    return { name, versions: schemaVersions(copy), uid, gid };
  });
  return { dir: dest, files };
}

/**
 * Put back the files a new release migrated (their schema versions moved on since the backup): the previous
 * release refuses a schema newer than it knows. Files whose schema did not change keep what the new release
 * wrote into them meanwhile (the outbox's accepted events among them). Run with the gateway stopped.
 */
export function restoreMigrated(dataDir: string, backup: DataBackup): string[] {
  const restored: string[] = [];
  for (const f of backup.files) {
    const live = join(dataDir, f.name);
    const now = existsSync(live) ? schemaVersions(live) : {};
    if (sameVersions(now, f.versions)) continue;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${live}${suffix}`, { force: true });
    copyFileSync(join(backup.dir, f.name), live);
    if (process.getuid?.() === 0) chownSync(live, f.uid, f.gid);
    restored.push(f.name);
  }
  return restored;
}

function sameVersions(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
