import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { type LoadedConfig, parseConfig } from '../config/load.js';
import { StoregateError } from '../core/errors.js';

/** What the cloud's `config.apply` did; kept in `data_dir/config-apply.json` and answered by `config.status`. */
export interface ConfigApplyRecord {
  request_id: string;
  state: 'unchanged' | 'applied' | 'rolled_back' | 'in_progress';
  changed_sections: string[];
  restart: boolean;
  at: number;
  problem?: string;
}

export interface StagedConfig {
  config: LoadedConfig;
  text: string;
  changedSections: string[];
  /** false when nothing but `log` changed: that is applied live. */
  restart: boolean;
}

/**
 * Validate a config text the cloud sent with the one schema (same base dir, same env overrides as the running
 * gateway) and tell which top-level sections change. Throws SG_CONFIG_INVALID listing every problem; nothing
 * is written by a failed validation.
 */
export function stageConfig(current: LoadedConfig, text: string, env: NodeJS.ProcessEnv): StagedConfig {
  if (!current.configFile) {
    throw new StoregateError('SG_CONFLICT', 'this gateway runs without a config file: nothing to apply to', {
      hint: 'start it with --config FILE',
    });
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new StoregateError('SG_CONFIG_INVALID', `config.apply: not YAML: ${doc.errors[0]!.message}`);
  }
  const raw = doc.toJS() as Record<string, unknown>;
  const config = parseConfig(raw, {
    env,
    baseDir: dirname(current.configFile),
    configFile: current.configFile,
  });
  const before = parseDocument(readFileSync(current.configFile, 'utf8')).toJS() ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(raw ?? {})]);
  const changedSections = [...keys]
    .filter((k) => JSON.stringify((before as Record<string, unknown>)[k]) !== JSON.stringify(raw?.[k]))
    .sort();
  const restart = changedSections.some((s) => s !== 'log');
  return { config, text, changedSections, restart };
}

/** Replace the config file with the staged text, keeping the old one as `<file>.previous`. */
export function installConfig(file: string, text: string): void {
  if (existsSync(file)) writeFileSync(`${file}.previous`, readFileSync(file), { mode: 0o600 });
  writeFileSync(`${file}.staged`, text, { mode: 0o600 });
  renameSync(`${file}.staged`, file);
}

/** Put `<file>.previous` back (the rollback of installConfig). */
export function restorePreviousConfig(file: string): void {
  renameSync(`${file}.previous`, file);
}

export function recordFile(dataDir: string): string {
  return `${dataDir}/config-apply.json`;
}

export function writeRecord(dataDir: string, record: ConfigApplyRecord): void {
  writeFileSync(recordFile(dataDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export function readRecord(dataDir: string): ConfigApplyRecord | null {
  try {
    return JSON.parse(readFileSync(recordFile(dataDir), 'utf8')) as ConfigApplyRecord;
  } catch {
    return null;
  }
}
