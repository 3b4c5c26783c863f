import { createLogger } from '../../shared/src/logger.js';
import { buildGateway, type Gateway } from './app.js';
import { type LoadedConfig, loadConfig } from './config/load.js';
import { writePidFile } from './lifecycle/pid-file.js';

/**
 * Process entry for `storegate start`: load config, build, start, and stop gracefully on SIGTERM/SIGINT
 * within `shutdown_timeout_ms` (features stop in reverse start order). A second signal exits at once.
 */
export async function runGateway(configPath?: string, config?: LoadedConfig): Promise<Gateway> {
  // Every file the gateway creates (SQLite files and their WAL, state files, certificates) is 0600.
  process.umask(0o077);
  const cfg = config ?? loadConfig(configPath);
  const logger = createLogger({ level: cfg.log.level });
  const gateway = await buildGateway(cfg, { logger });
  const removePidFile = writePidFile(cfg.dataDir);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: cfg.shutdown_timeout_ms }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, cfg.shutdown_timeout_ms);
    timer.unref();
    gateway.stop(signal).then(
      () => {
        removePidFile();
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await gateway.start();
  } catch (err) {
    logger.fatal({ err }, 'storegate failed to start');
    await gateway.stop('start-failed').catch(() => {});
    removePidFile();
    throw err;
  }
  return gateway;
}
