import type { KeyObject } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../shared/src/clock.js';
import type { LoadedConfig } from '../config/load.js';
import { StoregateError } from '../core/errors.js';
import type { DataBackup } from './data-backup.js';
import { backupAsOwner, restoreAsOwner } from './data-dir-owner.js';
import { type GatewayProbe, type Readiness, readiness } from './gateway-probe.js';
import type { InstallLayout } from './layout.js';
import type { VerifyTarget } from './manifest.js';
import { waitForQuietTime } from './quiet-gate.js';
import { signatureFile, verifyReleaseSignature } from './release-signature.js';
import type { ServiceControl } from './service-control.js';
import { unpackRelease } from './unpack.js';
import { type UpgradeRecord, writeUpgradeRecord } from './upgrade-record.js';

export interface UpgradeDeps {
  layout: InstallLayout;
  config: LoadedConfig;
  service: ServiceControl;
  probe: GatewayProbe;
  clock: Clock;
  log(line: string): void;
  /** The Node the release must fit (default: this process's). */
  target?: VerifyTarget;
  /** Trusted release public keys (release-keys.ts); the artifact's `.sig` must be by one of them. */
  releaseKeys?: readonly KeyObject[];
}

export interface UpgradeOptions {
  artifact: string;
  force?: boolean;
  /** The cloud's `release.upgrade` request id, kept in the upgrade record. */
  requestId?: string;
  /** Install without checking `<artifact>.sig` (`--allow-unsigned`, at the console only). */
  allowUnsigned?: boolean;
  /** The artifact's name in the record and messages (the helper installs a private copy of it). */
  shownAs?: string;
}

export interface UpgradeResult {
  from: string;
  to: string;
  backup: string;
}

/**
 * `storegate upgrade ARTIFACT`, with its outcome kept in data_dir/upgrade-status.json (upgrade-record.ts) for
 * the restarted gateway to report. See runUpgrade for the steps.
 */
export async function upgrade(deps: UpgradeDeps, options: UpgradeOptions): Promise<UpgradeResult> {
  const from = deps.layout.currentVersion();
  if (!from) {
    throw new StoregateError('SG_NOT_FOUND', `no release is installed under ${deps.layout.base}`, {
      hint: 'install first with deploy/install.sh or the .deb',
    });
  }
  let record: UpgradeRecord = {
    state: 'in_progress',
    from,
    to: null,
    artifact: options.shownAs ?? options.artifact,
    started_at: deps.clock.now(),
    forced: options.force ?? false,
    ...(options.requestId ? { request_id: options.requestId } : {}),
  };
  const save = (patch: Partial<UpgradeRecord>) => {
    record = { ...record, ...patch };
    try {
      writeUpgradeRecord(deps.config.dataDir, record);
    } catch (err) {
      deps.log(`could not write the upgrade record: ${(err as Error).message}`);
    }
  };
  save({});
  try {
    const result = await runUpgrade(deps, options, from, (to) => save({ to }));
    save({ state: 'upgraded', backup: result.backup, finished_at: deps.clock.now() });
    return result;
  } catch (err) {
    const rolledBack = err instanceof StoregateError && err.code === 'SG_UPGRADE_FAILED';
    save({
      state: rolledBack ? 'rolled_back' : 'failed',
      problem: err instanceof StoregateError ? `${err.code}: ${err.message}` : String(err),
      finished_at: deps.clock.now(),
    });
    throw err;
  }
}

/**
 * Verify and unpack beside the current release, wait for a quiet moment, stop,
 * back up the databases (migrations are forward-only), switch `current`, start, and wait for the new release to
 * be ready (`/healthz` ok, outbox and broker up) within upgrade.health_deadline_ms. On failure: stop it, put back
 * the databases it migrated, switch back, start the previous release and throw SG_UPGRADE_FAILED.
 */
async function runUpgrade(
  deps: UpgradeDeps,
  options: UpgradeOptions,
  from: string,
  verified: (to: string) => void,
): Promise<UpgradeResult> {
  const { layout, config, service, clock, log } = deps;
  const to = await verifiedCopy(deps, options, async (artifact) => {
    const signed = options.allowUnsigned
      ? null
      : verifyReleaseSignature(artifact, deps.releaseKeys ?? [], signatureFile(options.artifact));
    if (!signed) log(`not checking the signature of ${options.artifact} (--allow-unsigned)`);
    const { version } = await unpackRelease(layout, artifact, deps.target);
    if (signed && signed.version !== version) {
      rmSync(layout.release(version), { recursive: true, force: true });
      throw new StoregateError(
        'SG_RELEASE_SIGNATURE',
        `${options.artifact} holds release ${version}, its signature is for ${signed.version}`,
      );
    }
    return version;
  });
  verified(to);
  log(`verified release ${to} (current: ${from})`);
  await waitForQuietTime(deps, options.force ?? false);

  log(`stopping ${from}`);
  await service.stop();
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  let backup: DataBackup;
  try {
    backup = await backupAsOwner(
      config.dataDir,
      join(config.dataDir, 'backups', `upgrade-${from}-to-${to}-${stamp}`),
    );
  } catch (err) {
    // Nothing switched yet: the current release goes back up, and the upgrade fails with the reason.
    log(`the database backup failed (${(err as Error).message}): starting ${from} again`);
    await service.start();
    throw err;
  }
  log(`backed up ${backup.files.length} database(s) to ${backup.dir}`);
  layout.switchCurrent(to);
  log(`starting ${to}`);
  await service.start();
  const ready = await waitReady(deps, config.upgrade.health_deadline_ms);
  if (ready.ready) {
    pruneReleases(layout, config.upgrade.keep_releases, [to, from]);
    log(`upgraded ${from} -> ${to}`);
    return { from, to, backup: backup.dir };
  }

  log(`release ${to} is not healthy (${ready.why}): rolling back to ${from}`);
  await service.stop();
  try {
    const restored = await restoreAsOwner(config.dataDir, backup);
    if (restored.length > 0) log(`restored migrated database(s) from the backup: ${restored.join(', ')}`);
  } catch (err) {
    // Still switch back and start: the health gate below says whether the previous release copes.
    log(`could not restore the databases from ${backup.dir}: ${(err as Error).message}`);
  }
  layout.switchCurrent(from);
  await service.start();
  const back = await waitReady(deps, config.upgrade.health_deadline_ms);
  throw new StoregateError(
    'SG_UPGRADE_FAILED',
    `release ${to} did not come up healthy (${ready.why}); rolled back to ${from}` +
      (back.ready ? ', which is healthy again' : `, which is not healthy either (${back.why})`),
  );
}

/**
 * The checks and the unpacking read a private copy of the artifact: the original may sit in a directory the
 * service user can write, and it must not be swapped between the signature check and `tar`.
 */
async function verifiedCopy<T>(
  deps: UpgradeDeps,
  options: UpgradeOptions,
  use: (artifact: string) => Promise<T>,
): Promise<T> {
  mkdirSync(deps.layout.releases, { recursive: true, mode: 0o755 });
  const copy = join(deps.layout.releases, `.artifact-${process.pid}.tar.gz`);
  rmSync(copy, { force: true });
  try {
    copyFileSync(options.artifact, copy);
  } catch (err) {
    throw new StoregateError('SG_NOT_FOUND', `no release artifact ${options.artifact}`, {
      hint: (err as Error).message,
    });
  }
  try {
    return await use(copy);
  } finally {
    rmSync(copy, { force: true });
  }
}

/** Poll readiness until ready, the service exits on its own, or the deadline passes. */
async function waitReady(deps: UpgradeDeps, deadlineMs: number): Promise<Readiness> {
  const until = deps.clock.monotonic() + deadlineMs;
  let last: Readiness = { ready: false, why: 'not started' };
  for (;;) {
    last = await readiness(deps.probe);
    if (last.ready) return last;
    if (await deps.service.exited()) return { ready: false, why: `the gateway exited (${last.why})` };
    if (deps.clock.monotonic() >= until) {
      return { ready: false, why: `not ready after ${deadlineMs} ms: ${last.why}` };
    }
    await sleep(deps.clock, 500);
  }
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Keep the newest `keep` releases (by build time), and always the ones named. */
function pruneReleases(layout: InstallLayout, keep: number, always: string[]): void {
  const releases = readdirSync(layout.releases)
    .filter((n) => !n.startsWith('.'))
    .map((n) => ({ n, t: statSync(join(layout.releases, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  const kept = new Set([...always, ...releases.slice(0, keep).map((r) => r.n)]);
  for (const r of releases) {
    if (!kept.has(r.n)) rmSync(join(layout.releases, r.n), { recursive: true, force: true });
  }
}
