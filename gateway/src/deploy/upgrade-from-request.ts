import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { Clock } from '../../../shared/src/clock.js';
import { StoregateError } from '../core/errors.js';
import { readManifest, sha256File } from './manifest.js';
import { signatureFile, verifyReleaseSignature } from './release-signature.js';
import { type UpgradeDeps, type UpgradeResult, upgrade } from './upgrade.js';
import { writeUpgradeRecord } from './upgrade-record.js';
import { takeUpgradeRequest, type UpgradeRequest } from './upgrade-request.js';

/** What the root helper trusts: its own command line (from the root-owned unit), never the request or config. */
export interface HelperPolicy {
  /** The request file the gateway writes (the unit's path; its directory must be config.data_dir). */
  requestFile: string;
  /** Artifacts are accepted only from under this directory (default: <request dir>/incoming). */
  artifactDir: string;
  /** Honour a request's `downgrade: true` (off unless the unit says --allow-downgrade). */
  allowDowngrade: boolean;
}

/**
 * `storegate upgrade --from-request FILE`, as root from storegate-upgrade.service: take the gateway's request,
 * check it as if it came from anyone — the artifact confined to the artifact dir, copied into a root-only
 * directory before it is read, its sha256, its signature by a trusted release key (unsigned never passes
 * here), no downgrade unless the policy allows one — then the same upgrade as the CLI (quiet gate, backup,
 * switch, health gate, rollback) with its record. A refusal is recorded too, for release.status.
 */
export async function upgradeFromRequest(
  depsOf: UpgradeDeps | (() => UpgradeDeps),
  policy: HelperPolicy,
  clock: Clock = (depsOf as UpgradeDeps).clock,
): Promise<UpgradeResult> {
  // Taken (removed) first, whatever follows: a request left in place would start the path unit again, and a
  // config that does not load would make that a restart loop. Refusals are recorded beside the request (the
  // directory root's unit names), never where the config says.
  const request = takeUpgradeRequest(policy.requestFile);
  const recordDir = dirname(policy.requestFile);
  let from = 'unknown';
  const refuse = (err: unknown, at: number): never => {
    writeUpgradeRecord(recordDir, {
      state: 'failed',
      from,
      to: null,
      artifact: request.artifact,
      started_at: at,
      finished_at: clock.now(),
      forced: request.force,
      request_id: request.request_id,
      problem: err instanceof StoregateError ? `${err.code}: ${err.message}` : String(err),
    });
    throw err;
  };
  let deps: UpgradeDeps;
  try {
    deps = typeof depsOf === 'function' ? depsOf() : depsOf;
  } catch (err) {
    return refuse(err, clock.now());
  }
  const { config, layout } = deps;
  from = layout.currentVersion() ?? 'none';
  const startedAt = deps.clock.now();
  if (realDir(recordDir) !== realDir(config.dataDir)) {
    // The config is the service user's to write: a data_dir moved elsewhere would have root write there.
    refuse(
      new StoregateError(
        'SG_CONFLICT',
        `data_dir ${config.dataDir} is not the directory of the upgrade request ${policy.requestFile}`,
      ),
      startedAt,
    );
  }
  const staging = join(layout.releases, `.request-${process.pid}`);
  let artifact: string;
  try {
    artifact = stageArtifact(request, policy.artifactDir, staging);
    checkRequest(deps, policy, request, artifact, from);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    return refuse(err, startedAt);
  }
  try {
    return await upgrade(deps, {
      artifact,
      shownAs: request.artifact,
      force: request.force,
      requestId: request.request_id,
      allowUnsigned: false,
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * Copy the artifact and its .sig, from under the artifact dir only, into a directory only root can write: what
 * is checked afterwards is what gets installed, whatever the service user does to the originals meanwhile.
 */
function stageArtifact(request: UpgradeRequest, artifactDir: string, staging: string): string {
  const outside = () =>
    new StoregateError('SG_BAD_ARGUMENT', `${request.artifact} is not under ${artifactDir}`, {
      hint: `copy the release tarball and its .sig into ${artifactDir} first`,
    });
  if (!isAbsolute(request.artifact)) throw outside();
  const tarball = readConfined(resolve(request.artifact), artifactDir, outside);
  if (tarball === null) throw new StoregateError('SG_NOT_FOUND', `no release artifact ${request.artifact}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const staged = join(staging, 'artifact.tar.gz');
  writeFileSync(staged, tarball, { flag: 'wx', mode: 0o600 });
  // No .sig: the signature check says SG_RELEASE_UNSIGNED.
  const sig = readConfined(resolve(signatureFile(request.artifact)), artifactDir, outside);
  if (sig !== null) writeFileSync(signatureFile(staged), sig, { flag: 'wx', mode: 0o600 });
  return staged;
}

/**
 * A regular file's bytes, only if the file actually opened lies under `dir`: opened without following a final
 * symlink, then located through /proc/self/fd, so a directory swapped for a symlink between a check and the
 * open cannot make root read a file elsewhere. `dir` is taken literally (root's unit names it), not resolved.
 * null when there is no such file.
 */
function readConfined(path: string, dir: string, outside: () => Error): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw outside(); // ELOOP: a symlink
  }
  try {
    const opened = readlinkSync(`/proc/self/fd/${fd}`);
    if (!opened.startsWith(resolve(dir) + sep) || !fstatSync(fd).isFile()) throw outside();
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The request's sha256, the signature, and the downgrade guard, on the staged copy. */
function checkRequest(
  deps: UpgradeDeps,
  policy: HelperPolicy,
  request: UpgradeRequest,
  artifact: string,
  from: string,
): void {
  if (request.sha256 !== undefined) {
    const actual = sha256File(artifact);
    if (actual !== request.sha256) {
      throw new StoregateError(
        'SG_RELEASE_INVALID',
        `${request.artifact} has sha256 ${actual}, not ${request.sha256}`,
      );
    }
  }
  const signed = verifyReleaseSignature(artifact, deps.releaseKeys ?? []);
  let runningBuiltAt: string | null = null;
  try {
    runningBuiltAt = readManifest(deps.layout.release(from)).built_at;
  } catch {
    // no manifest for the current release: nothing to compare with
  }
  if (runningBuiltAt && signed.built_at < runningBuiltAt && !(request.downgrade && policy.allowDowngrade)) {
    throw new StoregateError(
      'SG_CONFLICT',
      `release ${signed.version} was built before the running ${from} (${signed.built_at} < ${runningBuiltAt})`,
      {
        hint: request.downgrade
          ? 'remote downgrades need --allow-downgrade on the helper (a drop-in for storegate-upgrade.service)'
          : 'a deliberate downgrade is args.downgrade: true in the signed command',
      },
    );
  }
}
