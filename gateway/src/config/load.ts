import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { StoregateError } from '../core/errors.js';
import { applyEnvOverrides } from './env-overrides.js';
import { type Config, configSchema } from './schema.js';
import { didYouMean, knownKeysAt, timeZoneHint } from './suggest.js';

export const DEFAULT_CONFIG_FILE = 'storegate.yaml';

export interface ConfigIssue {
  /** Dotted path in the YAML (`broker.limits.max_packet_bytes`), or the env variable name. */
  path: string;
  message: string;
  hint?: string;
}

export type LoadedConfig = Readonly<Config> & {
  readonly configFile: string | null;
  readonly dataDir: string;
};

function hintFor(issue: z.core.$ZodIssue, key: string | undefined, input: unknown): string | undefined {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const guess = key === undefined ? undefined : didYouMean(key, knownKeysAt(configSchema, issue.path));
      return guess
        ? `did you mean "${guess}"?`
        : 'remove the key or check its spelling against docs/configuration.md';
    }
    case 'custom':
      if (issue.path.join('.') === 'store.timezone') return timeZoneHint(String(valueAt(input, issue.path)));
      return undefined;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `minimum ${String(issue.minimum)}`;
    case 'too_big':
      return `maximum ${String(issue.maximum)}`;
    default:
      return undefined;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => `  ${i.path || '(root)'}: ${i.message}${i.hint ? ` (hint: ${i.hint})` : ''}`)
    .join('\n');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validate a raw object (already parsed YAML) + env; throw one error listing every issue. */
export function parseConfig(
  raw: unknown,
  options: { env?: NodeJS.ProcessEnv; baseDir?: string; configFile?: string | null } = {},
): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const base = (raw ?? {}) as Record<string, unknown>;
  if (typeof base !== 'object' || Array.isArray(base)) {
    throw new StoregateError('SG_CONFIG_INVALID', 'configuration must be a YAML mapping at the top level');
  }
  const merged = structuredClone(base);
  for (const e of applyEnvOverrides(configSchema, merged, options.env ?? {})) {
    issues.push({ path: e.variable, message: e.message });
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path = [...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.');
        const message = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
        const hint = hintFor(issue, key, merged);
        issues.push({ path, message, ...(hint ? { hint } : {}) });
      }
    }
  }
  if (issues.length > 0 || !result.success) {
    const where = options.configFile ? ` in ${options.configFile}` : '';
    throw new StoregateError(
      'SG_CONFIG_INVALID',
      `invalid configuration${where}: ${issues.length} problem(s)\n${formatIssues(issues)}`,
      { hint: 'fix each line above; `storegate doctor` re-checks' },
    );
  }
  const baseDir = options.baseDir ?? process.cwd();
  const dataDir = isAbsolute(result.data.data_dir)
    ? result.data.data_dir
    : resolve(baseDir, result.data.data_dir);
  return deepFreeze({ ...result.data, configFile: options.configFile ?? null, dataDir });
}

/**
 * Load `storegate.yaml` (or `path`). A missing default file means all defaults; a missing explicit file is an error.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = resolve(path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (path) throw new StoregateError('SG_CONFIG_NOT_FOUND', `config file not found: ${file}`);
    return parseConfig({}, { env, baseDir: process.cwd(), configFile: null });
  }
  return loadConfigText(readFileSync(file, 'utf8'), file, env);
}

/** The same as loadConfig, for a file's text its caller read itself (the root upgrade helper reads it unprivileged). */
export function loadConfigText(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `  ${e.message}`).join('\n');
    throw new StoregateError('SG_CONFIG_INVALID', `invalid YAML in ${file}:\n${lines}`);
  }
  return parseConfig(doc.toJS(), { env, baseDir: dirname(file), configFile: file });
}
