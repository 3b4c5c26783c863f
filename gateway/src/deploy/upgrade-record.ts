import {
  closeSync,
  fchownSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * What the last `storegate upgrade` did, kept in `data_dir/upgrade-status.json`. The CLI writes it (it may run
 * as root from a transient unit while the gateway is stopped); the restarted gateway reads it to answer
 * `release.status` and to send `release.upgraded` / `release.rolled_back` once (`reported_at`).
 */
export interface UpgradeRecord {
  state: 'in_progress' | 'upgraded' | 'rolled_back' | 'failed';
  from: string;
  /** null until the artifact has been verified (a refused artifact has no trusted version). */
  to: string | null;
  artifact: string;
  started_at: number;
  finished_at?: number;
  /** Why it rolled back or failed. */
  problem?: string;
  /** The database backup taken before the switch. */
  backup?: string;
  /** The cloud request that asked for it (`release.upgrade`); absent for a CLI upgrade. */
  request_id?: string;
  forced: boolean;
  /** When the gateway handed the outcome to the outbox as an event. */
  reported_at?: number;
}

export const UPGRADE_RECORD = 'upgrade-status.json';

export function upgradeRecordFile(dataDir: string): string {
  return join(dataDir, UPGRADE_RECORD);
}

/**
 * Atomic replace, 0600, owned like data_dir itself: a root CLI must not leave a file the gateway's user
 * cannot read or update. data_dir belongs to that user, so root creates the tmp file exclusively (a symlink
 * planted there is not followed) and changes the owner through the descriptor, not the path.
 */
export function writeUpgradeRecord(dataDir: string, record: UpgradeRecord): void {
  const file = upgradeRecordFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync(dataDir);
      fchownSync(fd, uid, gid);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** null when no upgrade ever ran here or the file is unreadable (it is a report, never a reason to fail). */
export function readUpgradeRecord(dataDir: string): UpgradeRecord | null {
  try {
    const parsed = JSON.parse(readFileSync(upgradeRecordFile(dataDir), 'utf8')) as UpgradeRecord;
    return typeof parsed?.state === 'string' && typeof parsed.from === 'string' ? parsed : null;
  } catch {
    return null;
  }
}
