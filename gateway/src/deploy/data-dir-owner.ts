import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoregateError } from '../core/errors.js';
import { backupDataDir, type DataBackup, restoreMigrated } from './data-backup.js';

/** What the upgrade does inside data_dir; run as data_dir's owner (data-dir-worker.ts). */
export type DataDirTask =
  | { op: 'backup'; dataDir: string; dest: string }
  | { op: 'restore'; dataDir: string; backup: DataBackup };

export function runDataDirTask(task: DataDirTask): Promise<DataBackup | string[]> {
  return task.op === 'backup'
    ? backupDataDir(task.dataDir, task.dest)
    : Promise.resolve(restoreMigrated(task.dataDir, task.backup));
}

/** Who does the work inside data_dir: root only when root owns data_dir (then nothing is gained by it). */
export function dataDirRunner(dataDir: string): { uid: number; gid: number } | null {
  if (process.geteuid?.() !== 0) return null;
  const { uid, gid } = statSync(dataDir);
  return uid === 0 ? null : { uid, gid };
}

/**
 * data_dir belongs to the service user, who can plant symlinks in it (`backups` → /etc, a database → a
 * root-only file). As root the helper would follow them, so the backup and the restore run in a child process
 * with data_dir owner's uid and gid (supplementary groups dropped): whatever a symlink names, the child can
 * only read and write what that user already could. Chosen over O_NOFOLLOW on every path because SQLite opens
 * the files itself (with its -wal/-shm companions) and gives no such control.
 */
export async function backupAsOwner(dataDir: string, dest: string): Promise<DataBackup> {
  return (await inDataDir({ op: 'backup', dataDir, dest })) as DataBackup;
}

export async function restoreAsOwner(dataDir: string, backup: DataBackup): Promise<string[]> {
  return (await inDataDir({ op: 'restore', dataDir, backup })) as string[];
}

async function inDataDir(task: DataDirTask): Promise<DataBackup | string[]> {
  if (!existsSync(task.dataDir)) return runDataDirTask(task);
  const owner = dataDirRunner(task.dataDir);
  if (!owner) return runDataDirTask(task);
  const child = spawn(process.execPath, [workerScript()], {
    uid: owner.uid,
    gid: owner.gid,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.end(JSON.stringify(task));
  const code = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', done);
  });
  const stderr = Buffer.concat(err).toString('utf8').trim();
  if (code !== 0) {
    throw new StoregateError(
      'SG_IO',
      `the ${task.op} in ${task.dataDir} as uid ${owner.uid} failed: ${reasonOf(stderr) ?? `exit ${code}`}`,
      { hint: `uid ${owner.uid} must be able to read the release (${workerScript()}) and write data_dir` },
    );
  }
  return JSON.parse(Buffer.concat(out).toString('utf8')) as DataBackup | string[];
}

/** The compiled worker beside this module; from the sources (vitest), the build's copy under dist/. */
function workerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = resolve(here, 'data-dir-worker.js');
  if (existsSync(beside)) return beside;
  const built = resolve(here, '../../../dist/gateway/src/deploy/data-dir-worker.js');
  if (existsSync(built)) return built;
  throw new StoregateError('SG_NOT_FOUND', `no data-dir-worker.js beside ${here} (npm run build)`);
}

/** Node prints its version last on a crash; the reason is the first `Error:` line (or the first line). */
function reasonOf(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(\w*Error|StoregateError)\b/.test(l) || /^Error \[/.test(l)) ?? lines[0];
}
