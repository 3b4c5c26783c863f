import { z } from 'zod';
import { StoregateError } from '../core/errors.js';

/**
 * `STOREGATE_…` environment overrides derived from the schema: the key path joined with `__`, upper-cased.
 * `STOREGATE_BROKER__PORT=1884`, `STOREGATE_BROKER__LIMITS__MAX_PACKET_BYTES=32768`, `STOREGATE_CLOUD__URL=…`.
 * Values are coerced by the schema's leaf type; arrays and objects take JSON.
 */
export const ENV_PREFIX = 'STOREGATE_';

/** STOREGATE_ variables that are not settings: the config file path itself and the demo's data dir. */
const RESERVED = new Set(['STOREGATE_CONFIG', 'STOREGATE_DEMO_DIR']);

export interface EnvOverrideError {
  variable: string;
  message: string;
}

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      s = s.unwrap() as AnySchema;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as AnySchema;
    } else {
      return s;
    }
  }
}

function keyFor(shape: Record<string, AnySchema>, segment: string): string | undefined {
  return Object.keys(shape).find((k) => k.toUpperCase() === segment);
}

function coerce(leaf: AnySchema, raw: string): unknown {
  if (leaf instanceof z.ZodNumber) {
    const n = Number(raw);
    if (raw.trim() === '' || Number.isNaN(n))
      throw new StoregateError('SG_CONFIG_INVALID', `expected a number, got "${raw}"`);
    return n;
  }
  if (leaf instanceof z.ZodBoolean) {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    throw new StoregateError('SG_CONFIG_INVALID', `expected true or false, got "${raw}"`);
  }
  if (leaf instanceof z.ZodUnion) {
    const n = Number(raw);
    return raw.trim() !== '' && !Number.isNaN(n) ? n : raw;
  }
  if (leaf instanceof z.ZodArray || leaf instanceof z.ZodObject || leaf instanceof z.ZodRecord) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new StoregateError('SG_CONFIG_INVALID', 'expected JSON for a list or object value');
    }
  }
  return raw;
}

/** Apply matching env variables onto the raw (pre-validation) config object. Unknown variables are errors. */
export function applyEnvOverrides(
  schema: z.ZodObject,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): EnvOverrideError[] {
  const errors: EnvOverrideError[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(ENV_PREFIX) || value === undefined || RESERVED.has(variable)) continue;
    const segments = variable.slice(ENV_PREFIX.length).split('__');
    let node: AnySchema = schema;
    let target: Record<string, unknown> = raw;
    const path: string[] = [];
    let failed = false;
    for (const [i, segment] of segments.entries()) {
      const obj = unwrap(node);
      const key =
        obj instanceof z.ZodObject ? keyFor(obj.shape as Record<string, AnySchema>, segment) : undefined;
      if (!key || !(obj instanceof z.ZodObject)) {
        errors.push({
          variable,
          message: `no setting "${[...path, segment.toLowerCase()].join('.')}" (separate nested keys with __)`,
        });
        failed = true;
        break;
      }
      path.push(key);
      node = (obj.shape as Record<string, AnySchema>)[key]!;
      if (i < segments.length - 1) {
        const next = target[key];
        if (typeof next !== 'object' || next === null || Array.isArray(next)) target[key] = {};
        target = target[key] as Record<string, unknown>;
      } else {
        try {
          target[key] = coerce(unwrap(node), value);
        } catch (err) {
          errors.push({ variable, message: (err as Error).message });
        }
      }
    }
    if (failed) continue;
  }
  return errors;
}

/** Every env variable the schema accepts, for `storegate config env` and the docs. */
export function listEnvVariables(schema: z.ZodObject, prefix = ENV_PREFIX): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.shape as Record<string, AnySchema>)) {
    const name = `${prefix}${key.toUpperCase()}`;
    const inner = unwrap(child);
    if (inner instanceof z.ZodObject) out.push(...listEnvVariables(inner, `${name}__`));
    else out.push(name);
  }
  return out;
}
