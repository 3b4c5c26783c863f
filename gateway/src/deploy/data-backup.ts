import { chownSync, copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { backupSqliteFile, schemaVersions } from '../registry/sqlite-backup.js';

export interface DataBackup {
  dir: string;
  files: Array<{ name: string; versions: Record<string, number>; uid: number; gid: number }>;
}

/**
 * Before a new release runs its (forward-only) migrations: an online backup of every SQLite file in data_dir
 * with the schema versions it holds, so a rollback can give the previous release files it can open.
 */
export async function backupDataDir(dataDir: string, dest: string): Promise<DataBackup> {
  const files: DataBackup['files'] = [];
  if (!existsSync(dataDir)) return { dir: dest, files };
  for (const name of readdirSync(dataDir)
    .filter((n) => n.endsWith('.db'))
    .sort()) {
    const file = join(dataDir, name);
    if (!statSync(file).isFile()) continue;
    await backupSqliteFile(file, join(dest, name));
    const { uid, gid } = statSync(file);
    files.push({ name, versions: schemaVersions(join(dest, name)), uid, gid });
  }
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
