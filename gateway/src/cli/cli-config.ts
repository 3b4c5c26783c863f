import { join } from 'node:path';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { openSqliteDeviceRegistry, type SqliteDeviceRegistry } from '../registry/sqlite-device-registry.js';

/** The file `--config` names explicitly, else `STOREGATE_CONFIG`, else undefined (default file, or defaults). */
export function configPathOf(command: Command): string | undefined {
  let root = command;
  while (root.parent) root = root.parent;
  const { config } = root.opts<{ config: string }>();
  if (root.getOptionValueSource('config') === 'cli') return config;
  return process.env.STOREGATE_CONFIG || undefined;
}

export function loadCliConfig(command: Command): LoadedConfig {
  return loadConfig(configPathOf(command));
}

/** Where the gateway keeps its device registry; the CLI opens the same file (WAL lets both work at once). */
export function registryFile(config: LoadedConfig): string {
  return join(config.dataDir, 'registry.db');
}

/** Run `fn` with the registry of the configured data_dir open, and always close it. */
export async function withRegistry<T>(
  config: LoadedConfig,
  fn: (registry: SqliteDeviceRegistry) => T | Promise<T>,
): Promise<T> {
  const registry = openSqliteDeviceRegistry(registryFile(config));
  try {
    return await fn(registry);
  } finally {
    registry.close();
  }
}
