import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../../../shared/src/logger.js';
import { StoregateError } from '../../core/errors.js';
import type { StorageState } from './outbox-storage.js';
import { OutboxCorruptError, readStoredState, SqliteOutboxStorage } from './sqlite-storage.js';
import { type OutboxStateFile, readStateFile } from './state-file.js';
import { walHeaderProblem } from './wal-header.js';

export type LossReason = 'missing' | 'empty' | 'corrupt' | 'wal_corrupt' | 'rolled_back';

/** What a moved-aside outbox still listed as queued, as far as it could be read. */
export interface QueuedSummary {
  epoch: number | null;
  must_deliver: number;
  telemetry: number;
  by_type: Record<string, number>;
  streams: Record<string, { seq_from: number; seq_to: number; count: number }>;
}

export interface OutboxLoss {
  reason: LossReason;
  detail: string;
  previousEpoch: number | null;
  epoch: number;
  movedTo: string[];
  lastKnown: OutboxStateFile | null;
  queued: QueuedSummary | null;
  queuedProblem: string | null;
}

/** Moved-aside outbox sets kept in data_dir for inspection; older ones are deleted (a failing card repeats). */
export const MAX_LOST_SETS = 3;

/**
 * A new epoch is above every epoch this gateway may have used: one more than the last known, and at least
 * the Unix time in seconds, so even a gateway whose whole data_dir was wiped does not reuse an epoch.
 */
export function nextEpoch(previous: number, now: number): number {
  return Math.max(previous + 1, Math.floor(now / 1000));
}

export function isCorruption(err: unknown): boolean {
  if (err instanceof OutboxCorruptError) return true;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

export interface OpenCheckedOptions {
  dbPath: string;
  statePath: string;
  now: number;
  autocheckpointPages?: number;
  logger?: Logger | undefined;
}

/**
 * Open outbox.db after checking it: a missing or emptied file (when the state file says one existed), a WAL
 * with a bad header, a database failing `quick_check`, or one older than the state file (lost commits) is
 * moved aside and replaced by a fresh outbox with a new epoch; the loss is returned so it can be reported
 * in-band. Anything else that stops the open (permissions, a full disk) is thrown, never hidden as a loss.
 */
export function openCheckedOutbox(o: OpenCheckedOptions): {
  storage: SqliteOutboxStorage;
  loss: OutboxLoss | null;
} {
  const stateRead = readStateFile(o.statePath);
  if (stateRead.kind === 'unreadable') {
    o.logger?.warn(
      { path: o.statePath, problem: stateRead.problem },
      'outbox state file unreadable; ignored',
    );
  }
  const state = stateRead.kind === 'ok' ? stateRead.value : null;
  const open = (epochIfNew: number, check: boolean) =>
    new SqliteOutboxStorage(o.dbPath, {
      epochIfNew,
      now: o.now,
      check,
      ...(o.autocheckpointPages ? { autocheckpointPages: o.autocheckpointPages } : {}),
    });
  const early = preOpenProblem(o.dbPath, state);
  if (early) return fresh(o, state, early.reason, early.detail, open);
  let storage: SqliteOutboxStorage;
  let loaded: StorageState;
  try {
    storage = open(nextEpoch(state?.epoch ?? 0, o.now), true);
    try {
      loaded = storage.load();
    } catch (err) {
      storage.close();
      throw err;
    }
  } catch (err) {
    if (isCorruption(err)) return fresh(o, state, 'corrupt', (err as Error).message, open);
    throw new StoregateError('SG_IO', `cannot open outbox database ${o.dbPath}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check that data_dir is writable by the storegate user and that the disk is not full',
    });
  }
  const behind = rolledBack(loaded, state);
  if (!behind) return { storage, loss: null };
  storage.close();
  return fresh(o, state, 'rolled_back', behind, open);
}

function preOpenProblem(
  dbPath: string,
  state: OutboxStateFile | null,
): { reason: LossReason; detail: string } | null {
  const walProblem = walHeaderProblem(`${dbPath}-wal`);
  if (walProblem) return { reason: 'wal_corrupt', detail: walProblem };
  const db = sizeOf(dbPath);
  const wal = sizeOf(`${dbPath}-wal`);
  if (!state || (db ?? 0) > 0 || (wal ?? 0) > 0) return null;
  // The state file says an outbox existed: without it (or with an empty file) a first start would reuse seqs.
  return db === null
    ? {
        reason: 'missing',
        detail: `${dbPath} does not exist but ${basename(dbPath)} was in use (epoch ${state.epoch})`,
      }
    : { reason: 'empty', detail: `${dbPath} is empty but was in use (epoch ${state.epoch})` };
}

function rolledBack(loaded: StorageState, state: OutboxStateFile | null): string | null {
  if (!state) return null;
  if (state.epoch > loaded.epoch) {
    return `outbox.db is at epoch ${loaded.epoch} but epoch ${state.epoch} was already in use`;
  }
  if (state.epoch < loaded.epoch) return null;
  for (const [stream, seq] of Object.entries(state.streams)) {
    const have = loaded.streamSeqs.get(stream) ?? 0;
    if (have < seq) return `stream ${stream} is back at seq ${have} but seq ${seq} was already assigned`;
  }
  return null;
}

function fresh(
  o: OpenCheckedOptions,
  state: OutboxStateFile | null,
  reason: LossReason,
  detail: string,
  open: (epochIfNew: number, check: boolean) => SqliteOutboxStorage,
): { storage: SqliteOutboxStorage; loss: OutboxLoss } {
  const movedTo = moveAside(o.dbPath, reason, o.now);
  const mainCopy = movedTo.find((p) => !p.endsWith('-wal') && !p.endsWith('-shm'));
  const inspected = mainCopy ? inspect(mainCopy) : { queued: null, problem: 'no database file was left' };
  const known = [state?.epoch ?? 0, inspected.queued?.epoch ?? 0];
  const previous = Math.max(...known);
  const epoch = nextEpoch(previous, o.now);
  const storage = open(epoch, false);
  const loss: OutboxLoss = {
    reason,
    detail,
    previousEpoch: previous > 0 ? previous : null,
    epoch,
    movedTo,
    lastKnown: state,
    queued: inspected.queued,
    queuedProblem: inspected.problem,
  };
  o.logger?.error(
    {
      reason,
      detail,
      movedTo,
      previousEpoch: loss.previousEpoch,
      epoch,
      queued: inspected.queued?.must_deliver,
    },
    'outbox lost: the old files were moved aside and a fresh outbox started with a new epoch',
  );
  return { storage, loss };
}

/** Rename outbox.db and its -wal/-shm to `outbox.db.lost-<time>-<reason>…` (a rename needs no free space). */
function moveAside(dbPath: string, reason: LossReason, now: number): string[] {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const target = `${dbPath}.lost-${stamp}-${reason}`;
  const moved: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(`${dbPath}${suffix}`)) continue;
    renameSync(`${dbPath}${suffix}`, `${target}${suffix}`);
    moved.push(`${target}${suffix}`);
  }
  pruneLostSets(dbPath);
  return moved;
}

/** The moved-aside outbox sets in data_dir, oldest first (their names start with an ISO time). */
export function lostSets(dbPath: string): string[] {
  const prefix = `${basename(dbPath)}.lost-`;
  try {
    return readdirSync(dirname(dbPath))
      .filter((f) => f.startsWith(prefix) && !f.endsWith('-wal') && !f.endsWith('-shm'))
      .sort()
      .map((f) => join(dirname(dbPath), f));
  } catch {
    return [];
  }
}

function pruneLostSets(dbPath: string): void {
  const sets = lostSets(dbPath);
  for (const old of sets.slice(0, Math.max(0, sets.length - MAX_LOST_SETS))) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${old}${suffix}`, { force: true });
  }
}

function inspect(path: string): { queued: QueuedSummary | null; problem: string | null } {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const stored = readStoredState(db);
    const byType = db
      .prepare("SELECT json_extract(item, '$.type') AS type, COUNT(*) AS n FROM events GROUP BY type")
      .all() as Array<{ type: string; n: number }>;
    const streams = db
      .prepare('SELECT stream, MIN(seq) AS a, MAX(seq) AS b, COUNT(*) AS n FROM events GROUP BY stream')
      .all() as Array<{ stream: string; a: number; b: number; n: number }>;
    return {
      problem: null,
      queued: {
        epoch: stored.epoch > 0 ? stored.epoch : null,
        must_deliver: stored.totals.must_deliver.count,
        telemetry: stored.totals.telemetry.count,
        by_type: Object.fromEntries(byType.map((r) => [r.type, r.n])),
        streams: Object.fromEntries(
          streams.map((s) => [s.stream, { seq_from: s.a, seq_to: s.b, count: s.n }]),
        ),
      },
    };
  } catch (err) {
    return { queued: null, problem: (err as Error).message };
  } finally {
    db?.close();
  }
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
