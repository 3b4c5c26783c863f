import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `data_dir/storegate.pid`: written by `storegate start`, removed on a clean stop. Commands that must not run
 * under a live gateway (restore, config staging) ask `runningGateway`. The file alone is not trusted: after a
 * crash the pid may belong to another process, so the process must still be alive and be a storegate start.
 */
export function pidFileOf(dataDir: string): string {
  return join(dataDir, 'storegate.pid');
}

export function writePidFile(dataDir: string, pid = process.pid): () => void {
  const file = pidFileOf(dataDir);
  writeFileSync(file, `${pid}\n`, { mode: 0o600 });
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** The pid of a gateway running on this data dir, or null. */
export function runningGateway(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFileOf(dataDir), 'utf8').trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but another user's — still a running gateway as far as a restore is concerned.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const runs = cmdline.includes('start') || cmdline.includes('record');
    return runs && cmdline.some((arg) => /storegate|bin\.js/.test(arg)) ? pid : null;
  } catch {
    // No /proc (or hidden by ProtectProc): the live pid is the best evidence there is.
    return pid;
  }
}
