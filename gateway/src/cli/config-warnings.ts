import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.js';
import { configPathOf } from './cli-config.js';
import { gatewayAt, localAddress } from './commands/doctor-net.js';

/** Commands that do not work on a data_dir (or report on it themselves: `config check` names the file it read). */
const NOT_ON_DATA = new Set(['start', 'schema', 'replay', 'help', 'config', 'release']);

/** The command's name below the root (`device list` → `device`). */
function topLevel(command: Command): string {
  let c = command;
  while (c.parent?.parent) c = c.parent;
  return c.name();
}

/**
 * Before a command that reads or writes data_dir: say so when no config file was found (the CLI would
 * silently use ./data) and when the gateway running on this config's HTTP port keeps its data elsewhere —
 * both are how `storegate device list` ends up showing "No devices yet" next to a running store.
 * Warnings go to stderr; they never stop the command. A config that does not load is the command's to report.
 */
export async function warnAboutConfig(command: Command, write = (s: string) => process.stderr.write(s)) {
  if (NOT_ON_DATA.has(topLevel(command))) return;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(configPathOf(command));
  } catch {
    return;
  }
  if (config.configFile === null) {
    write(
      `warning: no config file (${DEFAULT_CONFIG_FILE} not found in ${process.cwd()}; pass --config FILE or set STOREGATE_CONFIG): using built-in defaults, data_dir ${config.dataDir}\n`,
    );
  }
  const host = localAddress(config.http.host);
  if (config.http.port === 0) return;
  const running = await gatewayAt(host, config.http.port, 700);
  if (running?.dataDir && running.dataDir !== config.dataDir) {
    write(
      `warning: the storegate running on ${host}:${config.http.port} (store ${running.store}) uses data_dir ${running.dataDir}, this command uses ${config.dataDir} — pass that gateway's --config\n`,
    );
  }
}
