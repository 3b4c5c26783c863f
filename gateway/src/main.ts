import { systemClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import { buildGateway, type Gateway } from './app.js';
import { type LoadedConfig, loadConfig } from './config/load.js';
import { loadReleaseKeys, releaseKeysPath } from './deploy/release-keys.js';
import { runningRelease } from './deploy/running-release.js';
import { journalDestination, stdoutIsJournal } from './lifecycle/journal-stream.js';
import { installLoopBlockHook } from './lifecycle/loop-block-hook.js';
import { writePidFile } from './lifecycle/pid-file.js';
import { startReleaseReporter } from './lifecycle/release-reporter.js';
import { registerRemoteConfig } from './lifecycle/remote-config.js';
import { registerRemoteUpgrade } from './lifecycle/remote-upgrade.js';
import { openNotifier } from './lifecycle/sd-notify.js';
import { SystemdSupervision } from './lifecycle/systemd-supervision.js';
import { processRunner } from './lifecycle/upgrade-runner.js';

/**
 * Process entry for `storegate start`: load config, build, start, and stop gracefully on SIGTERM/SIGINT
 * within `shutdown_timeout_ms` (features stop in reverse start order). A second signal exits at once.
 * Under systemd (`Type=notify`): READY=1 after the features started, watchdog pings, STATUS=, STOPPING=1.
 */
export async function runGateway(configPath?: string, config?: LoadedConfig): Promise<Gateway> {
  // Every file the gateway creates (SQLite files and their WAL, state files, certificates) is 0600.
  process.umask(0o077);
  const cfg = config ?? loadConfig(configPath);
  const logger = createLogger({
    level: cfg.log.level,
    ...(stdoutIsJournal(process.env) ? { destination: journalDestination() } : {}),
  });
  const clock = systemClock();
  const notifier = openNotifier(process.env, logger);
  let gateway = await buildGateway(cfg, { logger, clock });
  const supervision = new SystemdSupervision(notifier, {
    clock,
    metrics: () => gateway.context.metrics,
    problems: () => gateway.problems(),
  });
  supervision.startWatchdog();
  installLoopBlockHook(process.env, { notifier, logger, clock });
  const removePidFile = writePidFile(cfg.dataDir);
  let stopping = false;
  const exit = (code: number) => {
    removePidFile();
    supervision.close();
    process.exit(code);
  };
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(130);
    }
    stopping = true;
    supervision.stopping(signal);
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: cfg.shutdown_timeout_ms }, 'graceful shutdown timed out; exiting');
      exit(1);
    }, cfg.shutdown_timeout_ms);
    timer.unref();
    gateway.stop(signal).then(
      () => exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await gateway.start();
  } catch (err) {
    logger.fatal({ err }, 'storegate failed to start');
    supervision.stopping('start failed');
    await gateway.stop('start-failed').catch(() => {});
    removePidFile();
    supervision.close();
    throw err;
  }
  await supervision.ready();
  const remote = {
    clock,
    logger,
    current: () => gateway,
    // In-process restart for config.apply: same pid, pid file and notify socket; systemd sees a status line.
    restart: async (next: LoadedConfig) => {
      notifier.send({ STATUS: 'restarting for config.apply' });
      await gateway.stop('config.apply');
      gateway = await buildGateway(next, { logger, clock });
      try {
        await gateway.start();
      } finally {
        registerRemoteConfig(remote);
        registerRemoteUpgrade(upgrades);
      }
      notifier.send({ STATUS: await supervision.statusLine() });
    },
    ...(process.env.SG_CONFIG_APPLY_DEADLINE_MS
      ? { healthDeadlineMs: Number(process.env.SG_CONFIG_APPLY_DEADLINE_MS) }
      : {}),
  };
  const release = runningRelease(import.meta.dirname);
  // The gateway's own check of a release.upgrade artifact, for a clear answer; the root helper checks again
  // with the installed keys only. SG_RELEASE_KEYS_FILE points elsewhere (tests, a non-standard install).
  const keysFile = process.env.SG_RELEASE_KEYS_FILE ?? releaseKeysPath(release.layout?.root ?? '/');
  const upgrades = {
    clock,
    logger,
    current: () => gateway,
    release,
    runner: processRunner(clock),
    releaseKeys: () => loadReleaseKeys(keysFile, keysFile),
  };
  registerRemoteConfig(remote);
  registerRemoteUpgrade(upgrades);
  startReleaseReporter({ clock, logger, current: () => gateway, running: release.version });
  return gateway;
}
