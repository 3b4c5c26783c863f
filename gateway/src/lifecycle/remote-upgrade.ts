import type { KeyObject } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock, TimerHandle } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Gateway } from '../app.js';
import { StoregateError } from '../core/errors.js';
import { sha256File, type VerifyTarget } from '../deploy/manifest.js';
import { verifyReleaseSignature } from '../deploy/release-signature.js';
import { otherReleases, type RunningRelease } from '../deploy/running-release.js';
import { verifyArtifact } from '../deploy/unpack.js';
import { readUpgradeRecord, writeUpgradeRecord } from '../deploy/upgrade-record.js';
import { INCOMING_DIR, upgradeRequestFile, writeUpgradeRequest } from '../deploy/upgrade-request.js';
import { cloudCommands } from '../sinks/uplink/commands.js';
import { type UpgradeRunner, upgradeArgv } from './upgrade-runner.js';

export interface RemoteUpgradeDeps {
  clock: Clock;
  logger: Logger;
  current: () => Gateway;
  release: RunningRelease;
  /** Starts upgrade.remote_runner when one is configured (hosts without the systemd helper). */
  runner: UpgradeRunner;
  /** The trusted release keys (/etc/storegate-release-keys.pem), read when a request comes. */
  releaseKeys: () => readonly KeyObject[];
  /** The Node a release must fit (default: this process's). */
  target?: VerifyTarget;
  /** Answer `verifying` when the checks take longer than this (the command timeout is 10 s). */
  answerWithinMs?: number;
}

/** When each gateway process last launched a runner: a second request before its record exists is a conflict. */
const launches = new WeakMap<RemoteUpgradeDeps, number>();
const LAUNCH_GUARD_MS = 60_000;
const ANSWER_WITHIN_MS = 8_000;

/** A path or file: URL of a tarball already on the gateway's disk (the cloud's job is to put it there). */
function artifactPath(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new StoregateError('SG_BAD_ARGUMENT', 'args.artifact: the path of the release tarball');
  }
  if (value.startsWith('file:')) return fileURLToPath(value);
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    throw new StoregateError('SG_BAD_ARGUMENT', `args.artifact: ${value} is not on this gateway's disk`, {
      hint: 'copy the tarball to the gateway first (Ansible, scp) and pass its absolute path or file: URL',
    });
  }
  if (!isAbsolute(value)) throw new StoregateError('SG_BAD_ARGUMENT', 'args.artifact: an absolute path');
  return value;
}

/** With the root helper, the artifact must be where it accepts artifacts from: data_dir/incoming/. */
function confined(artifact: string, dataDir: string): void {
  const dir = join(dataDir, INCOMING_DIR);
  const rel = relative(dir, artifact);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new StoregateError('SG_BAD_ARGUMENT', `args.artifact: ${artifact} is not under ${dir}`, {
      hint: `copy the tarball and its .sig into ${dir} (the upgrade helper takes artifacts from there only)`,
    });
  }
}

/**
 * `release.upgrade` (state-changing: signed like config.apply) and `release.status` on the running gateway's
 * cloud commands. The artifact is verified here with the CLI's checks, so a bad one is refused in the answer;
 * an accepted one is handed to the root upgrade helper as data_dir/upgrade-request.json (upgrade-request.ts),
 * which checks it all again and runs `storegate upgrade` (quiet gate, backup, health gate, rollback) outside
 * this process, because it stops this gateway. With upgrade.remote_runner set, that argv is started instead.
 */
export function registerRemoteUpgrade(deps: RemoteUpgradeDeps): void {
  const gateway = deps.current();
  const commands = cloudCommands(gateway.context);
  const { config } = gateway.context;
  const { release } = deps;
  commands.register(
    'release.status',
    () => ({
      current: release.version,
      commit: release.commit,
      previous: release.layout ? otherReleases(release.layout, release.version) : [],
      installed_under: release.layout?.base ?? null,
      last_upgrade: readUpgradeRecord(config.dataDir),
    }),
    { readOnly: true },
  );
  commands.register('release.upgrade', async (args, request) => {
    const artifact = artifactPath(args.artifact);
    const handoff = config.upgrade.remote_runner === undefined;
    if (handoff) confined(artifact, config.dataDir);
    for (const flag of ['force', 'downgrade'] as const) {
      if (args[flag] !== undefined && typeof args[flag] !== 'boolean') {
        throw new StoregateError('SG_BAD_ARGUMENT', `args.${flag}: true or false`);
      }
    }
    if (
      args.sha256 !== undefined &&
      (typeof args.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(args.sha256))
    ) {
      throw new StoregateError('SG_BAD_ARGUMENT', 'args.sha256: 64 hex digits');
    }
    const configFile = config.configFile;
    if (!configFile) {
      throw new StoregateError('SG_CONFLICT', 'this gateway runs without a config file', {
        hint: 'start it with --config FILE',
      });
    }
    const launched = launches.get(deps);
    if (launched !== undefined && deps.clock.monotonic() - launched < LAUNCH_GUARD_MS) {
      throw new StoregateError('SG_CONFLICT', 'an upgrade was started less than a minute ago');
    }
    const pending = upgradeRequestFile(config.dataDir);
    if (
      handoff &&
      existsSync(pending) &&
      deps.clock.now() - statSync(pending).mtimeMs < LAUNCH_GUARD_MS * 10
    ) {
      throw new StoregateError('SG_CONFLICT', `an upgrade request is waiting for the helper (${pending})`, {
        hint: 'is the helper installed? systemctl status storegate-upgrade.path',
      });
    }
    const running = readUpgradeRecord(config.dataDir);
    const stale = config.upgrade.max_wait_ms + 2 * config.upgrade.health_deadline_ms;
    if (running?.state === 'in_progress' && deps.clock.now() - running.started_at < stale) {
      throw new StoregateError('SG_CONFLICT', `an upgrade to ${running.to ?? running.artifact} is running`);
    }
    launches.set(deps, deps.clock.monotonic());
    const req = {
      artifact,
      configFile,
      requestId: request.id,
      force: args.force === true,
      downgrade: args.downgrade === true,
      ...(typeof args.sha256 === 'string' ? { sha256: args.sha256.toLowerCase() } : {}),
    };
    const startedAt = deps.clock.now();
    const work = verifyAndLaunch(deps, config.upgrade.remote_runner, config.dataDir, req).then(
      (data) => ({ ok: true as const, data }),
      (error: unknown) => {
        launches.delete(deps);
        return { ok: false as const, error };
      },
    );
    const first = await settledWithin(deps.clock, work, deps.answerWithinMs ?? ANSWER_WITHIN_MS);
    if (first) {
      if (!first.ok) throw first.error;
      return first.data;
    }
    // A release is ~15,000 files: verifying one took 8-20 s on a loaded 2-core machine, over the command
    // timeout. The answer goes now; a refusal found later is kept in the upgrade record release.status answers.
    void work.then((outcome) => {
      if (outcome.ok) return;
      const problem =
        outcome.error instanceof StoregateError
          ? `${outcome.error.code}: ${outcome.error.message}`
          : String(outcome.error);
      deps.logger.error({ problem, request: request.id }, 'release.upgrade: refused after verification');
      writeUpgradeRecord(config.dataDir, {
        state: 'failed',
        from: release.version,
        to: null,
        artifact,
        started_at: startedAt,
        finished_at: deps.clock.now(),
        forced: req.force,
        request_id: request.id,
        problem,
      });
    });
    return { state: 'verifying', from: release.version, artifact };
  });
}

interface LaunchRequest {
  artifact: string;
  configFile: string;
  requestId: string;
  force: boolean;
  downgrade: boolean;
  sha256?: string;
}

/**
 * The helper's checks, done here first for a clear answer (the helper repeats them: it does not trust this
 * process), then the handoff or the runner; the answer of an accepted request.
 */
async function verifyAndLaunch(
  deps: RemoteUpgradeDeps,
  runner: readonly string[] | undefined,
  dataDir: string,
  req: LaunchRequest,
) {
  const { release } = deps;
  if (!existsSync(req.artifact))
    throw new StoregateError('SG_NOT_FOUND', `no release artifact ${req.artifact}`);
  verifyReleaseSignature(req.artifact, deps.releaseKeys());
  if (req.sha256 !== undefined) {
    const actual = sha256File(req.artifact);
    if (actual !== req.sha256) {
      throw new StoregateError(
        'SG_RELEASE_INVALID',
        `${req.artifact} has sha256 ${actual}, not ${req.sha256}`,
      );
    }
  }
  const manifest = await verifyArtifact(req.artifact, deps.target);
  if (manifest.version === release.version) {
    throw new StoregateError('SG_CONFLICT', `release ${manifest.version} is already the current one`);
  }
  // Signed commands have no expiry: a captured old release.upgrade re-sent must not take the store back.
  if (release.builtAt && manifest.built_at < release.builtAt && !req.downgrade) {
    throw new StoregateError(
      'SG_CONFLICT',
      `release ${manifest.version} was built before the running ${release.version} (${manifest.built_at} < ${release.builtAt})`,
      { hint: 'a deliberate downgrade is args.downgrade: true in the signed command' },
    );
  }
  const accepted = {
    state: 'accepted',
    from: release.version,
    to: manifest.version,
    commit: manifest.commit,
  };
  if (runner === undefined) {
    const file = writeUpgradeRequest(dataDir, {
      format: 'storegate-upgrade-request/1',
      request_id: req.requestId,
      artifact: req.artifact,
      ...(req.sha256 !== undefined ? { sha256: req.sha256 } : {}),
      force: req.force,
      downgrade: req.downgrade,
      requested_at: deps.clock.now(),
      from: release.version,
    });
    deps.logger.warn(
      { from: release.version, to: manifest.version, request: req.requestId, file },
      'release.upgrade: accepted, handed to the upgrade helper',
    );
    return { ...accepted, request_file: file };
  }
  const argv = upgradeArgv(runner, deps.clock.now(), req);
  await deps.runner(argv);
  deps.logger.warn(
    { from: release.version, to: manifest.version, request: req.requestId, argv },
    'release.upgrade: accepted, upgrade started',
  );
  return { ...accepted, argv };
}

/** `work`'s outcome if it settles within `ms`, else null (it keeps running). */
async function settledWithin<T>(clock: Clock, work: Promise<T>, ms: number): Promise<T | null> {
  let timer: TimerHandle | undefined;
  const late = new Promise<null>((resolve) => {
    timer = clock.setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    if (timer) clock.clearTimeout(timer);
  }
}
