import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { configPathOf } from '../cli-config.js';
import { printJson, printLine } from '../output.js';

/**
 * `storegate config check [FILE]`: validate a config file against the one schema without touching data_dir
 * (no registry opened, nothing created), so Ansible's `validate:` and staged cloud configs can use it.
 * Exit 1 with SG_CONFIG_INVALID and every problem listed.
 */
export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('the configuration file');
  config
    .command('check')
    .description('validate a config file (default: --config) against the schema; touches nothing')
    .argument('[file]', 'config file to check')
    .option('--json', 'machine-readable output')
    .action((file: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const path = file ? resolve(file) : configPathOf(cmd);
      const loaded = loadConfig(path);
      const summary = {
        file: loaded.configFile,
        valid: true,
        store_id: loaded.store.id,
        data_dir: loaded.dataDir,
      };
      if (opts.json) return printJson(summary);
      printLine(
        `${loaded.configFile ?? '(built-in defaults)'}: valid (store ${loaded.store.id}, data_dir ${loaded.dataDir})`,
      );
    });
}
