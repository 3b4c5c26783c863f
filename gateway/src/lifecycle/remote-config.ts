import type { Clock } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Gateway } from '../app.js';
import type { LoadedConfig } from '../config/load.js';
import { StoregateError } from '../core/errors.js';
import { cloudCommands } from '../sinks/uplink/commands.js';
import {
  type ConfigApplyRecord,
  installConfig,
  readRecord,
  restorePreviousConfig,
  stageConfig,
  writeRecord,
} from './config-apply.js';

export interface RemoteConfigDeps {
  clock: Clock;
  logger: Logger;
  current: () => Gateway;
  /** Stop the running gateway and build + start one on this config (throws if it does not start). */
  restart: (config: LoadedConfig) => Promise<void>;
  /** How long a restarted gateway has to come up healthy before the previous config is put back. */
  healthDeadlineMs?: number;
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));

async function connected(gateway: Gateway): Promise<boolean> {
  const metric = gateway.context.metrics.getSingleMetric('storegate_uplink_connected');
  if (!metric) return false;
  const { values } = await metric.get();
  return values.some((v) => v.value > 0);
}

/**
 * Healthy after a restart: no feature problem that was not there before, and — when the cloud link was up
 * before — the cloud link up again (a config that cuts the store off from the cloud is the one to undo).
 */
async function waitHealthy(deps: RemoteConfigDeps, before: { problems: string[]; cloud: boolean }) {
  const deadline = deps.clock.monotonic() + (deps.healthDeadlineMs ?? 30_000);
  let why = 'not checked';
  while (deps.clock.monotonic() < deadline) {
    const gw = deps.current();
    const fresh = Object.keys(gw.problems()).filter((p) => !before.problems.includes(p));
    const cloudOk = !before.cloud || (await connected(gw));
    if (fresh.length === 0 && cloudOk) return null;
    why = fresh.length > 0 ? `new problems: ${fresh.join(', ')}` : 'cloud link not back';
    await sleep(deps.clock, 250);
  }
  return why;
}

/**
 * `config.apply` (state-changing: signed, unless the cloud connection is trusted) and `config.status` on the
 * running gateway's cloud commands. Registered again on each gateway a restart builds.
 */
export function registerRemoteConfig(deps: RemoteConfigDeps): void {
  const gateway = deps.current();
  const commands = cloudCommands(gateway.context);
  const { config } = gateway.context;
  commands.register(
    'config.status',
    () => ({ file: config.configFile, last_apply: readRecord(config.dataDir) }),
    { readOnly: true },
  );
  commands.register('config.apply', async (args, request) => {
    if (typeof args.yaml !== 'string')
      throw new StoregateError('SG_BAD_ARGUMENT', 'args.yaml: the config text');
    const staged = stageConfig(config, args.yaml, process.env);
    const base = { request_id: request.id, changed_sections: staged.changedSections, at: deps.clock.now() };
    if (staged.changedSections.length === 0) {
      const record: ConfigApplyRecord = { ...base, state: 'unchanged', restart: false };
      writeRecord(config.dataDir, record);
      return record;
    }
    installConfig(config.configFile!, staged.text);
    if (!staged.restart) {
      deps.logger.level = staged.config.log.level;
      const record: ConfigApplyRecord = { ...base, state: 'applied', restart: false };
      writeRecord(config.dataDir, record);
      return record;
    }
    const record: ConfigApplyRecord = { ...base, state: 'in_progress', restart: true };
    writeRecord(config.dataDir, record);
    // After the answer has gone out: the restart stops the uplink that carries it.
    deps.clock.setTimeout(() => void applyWithRestart(deps, config, staged.config, record), 500);
    return record;
  });
}

async function applyWithRestart(
  deps: RemoteConfigDeps,
  previous: LoadedConfig,
  next: LoadedConfig,
  record: ConfigApplyRecord,
): Promise<void> {
  const old = deps.current();
  const before = { problems: Object.keys(old.problems()), cloud: await connected(old) };
  deps.logger.warn(
    { sections: record.changed_sections, request: record.request_id },
    'config.apply: restarting',
  );
  let problem: string | null;
  try {
    await deps.restart(next);
    problem = await waitHealthy(deps, before);
  } catch (err) {
    problem = `did not start: ${(err as Error).message}`;
  }
  if (problem === null) {
    writeRecord(next.dataDir, { ...record, state: 'applied', at: deps.clock.now() });
    deps.logger.info({ request: record.request_id }, 'config.apply: applied, gateway healthy');
    return;
  }
  deps.logger.error({ problem, request: record.request_id }, 'config.apply: not healthy, rolling back');
  restorePreviousConfig(previous.configFile!);
  writeRecord(previous.dataDir, { ...record, state: 'rolled_back', problem, at: deps.clock.now() });
  try {
    await deps.restart(previous);
  } catch (err) {
    deps.logger.fatal(
      { err },
      'config.apply: the previous config does not start either; exiting for systemd',
    );
    process.exit(1);
  }
}
