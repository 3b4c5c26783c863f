import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listEnvVariables } from '../../gateway/src/config/env-overrides.js';
import { loadConfig, parseConfig } from '../../gateway/src/config/load.js';
import { configSchema } from '../../gateway/src/config/schema.js';
import { StoregateError } from '../../gateway/src/core/errors.js';

function configError(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(raw, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(StoregateError);
    expect((err as StoregateError).code).toBe('SG_CONFIG_INVALID');
    return (err as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('configuration', () => {
  it('applies defaults to an empty file and freezes the result', () => {
    const cfg = parseConfig({});
    expect(cfg.broker.port).toBe(1883);
    expect(cfg.broker.allow_anonymous).toBe(false);
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.broker.limits)).toBe(true);
    expect(() => {
      (cfg.broker as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reports an unknown key with its full path', () => {
    const msg = configError({ broker: { limits: { max_packet_byte: 10 } } });
    expect(msg).toContain('broker.limits.max_packet_byte: unknown key');
    expect(msg).toContain('hint:');
  });

  it('reports a wrong type with its path and the expected type', () => {
    expect(configError({ broker: { port: 'eighteen' } })).toMatch(/broker\.port: .*hint: expected number/);
  });

  it('reports out-of-range values with the bound', () => {
    expect(configError({ broker: { port: 70000 } })).toMatch(/broker\.port: .*maximum 65535/);
  });

  it('reports a bad enum value with the allowed values', () => {
    expect(configError({ log: { level: 'loud' } })).toMatch(/log\.level: .*"info"/);
  });

  it('reports every problem at once, not just the first', () => {
    const msg = configError({ broker: { port: -1, bogus: true }, http: { port: 'x' } });
    expect(msg).toContain('3 problem(s)');
    expect(msg).toContain('broker.port');
    expect(msg).toContain('broker.bogus');
    expect(msg).toContain('http.port');
  });

  it('derives STOREGATE_ env overrides from the schema and coerces them', () => {
    const cfg = parseConfig(
      { broker: { port: 1000 } },
      {
        env: {
          STOREGATE_BROKER__PORT: '1884',
          STOREGATE_BROKER__ALLOW_ANONYMOUS: 'true',
          STOREGATE_CONFIG: '/etc/x.yaml',
          PATH: '/bin',
        },
      },
    );
    expect(cfg.broker.port).toBe(1884);
    expect(cfg.broker.allow_anonymous).toBe(true);
    expect(listEnvVariables(configSchema)).toContain('STOREGATE_BROKER__LIMITS__MAX_PACKET_BYTES');
  });

  it('rejects an env override that names no setting or has a bad value, naming the variable', () => {
    expect(configError({}, { STOREGATE_BROKER__PROT: '1' })).toMatch(
      /STOREGATE_BROKER__PROT: no setting "broker\.prot"/,
    );
    expect(configError({}, { STOREGATE_BROKER__PORT: 'abc' })).toMatch(
      /STOREGATE_BROKER__PORT: expected a number/,
    );
  });

  it('reports invalid YAML with the file name, and a missing explicit file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-config-'));
    const file = join(dir, 'storegate.yaml');
    writeFileSync(file, 'broker:\n  port: [1\n');
    expect(() => loadConfig(file, {})).toThrow(/invalid YAML in .*storegate\.yaml/);
    expect(() => loadConfig(join(dir, 'missing.yaml'), {})).toThrow(/config file not found/);
  });

  it('resolves data_dir relative to the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-config-'));
    const file = join(dir, 'storegate.yaml');
    writeFileSync(file, 'data_dir: ./state\n');
    expect(loadConfig(file, {}).dataDir).toBe(join(dir, 'state'));
  });

  it('accepts the commented example in deploy/', () => {
    const example = resolve(import.meta.dirname, '../../deploy/storegate.example.yaml');
    const raw = parse(readFileSync(example, 'utf8'));
    expect(() => parseConfig(raw, { env: {} })).not.toThrow();
    expect(loadConfig(example, {}).store.id).toBe(raw.store.id);
  });
});
