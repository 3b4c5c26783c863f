import { z } from 'zod';

/**
 * Building blocks for device payload schemas (snake_case JSON on `devices/{id}/…`). Their messages read after a
 * field name — `in: must be a non-negative integer` in a broker rejection, `"in" must be a non-negative integer`
 * in a replay rejection — so the same schema explains itself on both paths.
 */

export const epochMs = z
  .number({ error: 'must be epoch milliseconds' })
  .int({ error: 'must be whole epoch milliseconds' })
  .min(946_684_800_000, { error: 'timestamp before 2000: send epoch milliseconds, not seconds' })
  .max(4_102_444_800_000, { error: 'timestamp after 2100' });

export function integer(min: number, max: number, message = `must be an integer ${min}..${max}`) {
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, {
    error: message,
  });
}

/**
 * A device's own message id (optional on every topic): the same reading sent again — after a lost PUBACK, a
 * device reboot or a gateway restart — carries the same `msg_id`, and the gateway derives the event id from
 * it (docs/outbox.md "Device resends"). A string of printable ASCII without spaces, or a non-negative integer
 * (a firmware counter); an integer and its decimal string are the same id.
 */
export const msgId = z.union(
  [
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/),
    z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ],
  { error: 'must be a message id: 1–64 printable ASCII characters without spaces, or an integer ≥ 0' },
);

/** A cumulative hardware counter (rollover and resets are the processor's job). */
export const counter = integer(0, Number.MAX_SAFE_INTEGER, 'must be a non-negative integer');

const MIN_GRAMS = -100_000;
const MAX_GRAMS = 1_000_000;

export const grams = z
  .number({ error: 'must be a number of grams' })
  .finite({ error: 'must be a finite number of grams' })
  .min(MIN_GRAMS, { error: `must be at least ${MIN_GRAMS} g` })
  .max(MAX_GRAMS, { error: `must be at most ${MAX_GRAMS} g` });

function allGrams(samples: readonly number[]): boolean {
  for (let i = 0; i < samples.length; i++) {
    const g = samples[i]!;
    if (!(g >= MIN_GRAMS && g <= MAX_GRAMS)) return false;
  }
  return true;
}

/**
 * A batch of weight samples. The range is checked in one loop instead of as zod checks on every element,
 * which cost ~100 ns per sample: the broker and replay validate every sample of a 60 Hz stream. The items'
 * JSON Schema still states the range.
 */
export function gramsSamples(maxSamples: number) {
  const sample = z
    .number({ error: 'must be a number of grams' })
    .meta({ minimum: MIN_GRAMS, maximum: MAX_GRAMS });
  return z
    .array(sample, { error: 'must be an array of grams' })
    .min(1, { error: 'must hold at least one sample' })
    .max(maxSamples, { error: `must hold at most ${maxSamples} samples` })
    .refine(allGrams, { error: `every sample must be within ${MIN_GRAMS}..${MAX_GRAMS} g` });
}

/** Names of lines, zones, lanes: short identifiers. */
export const label = z
  .string({ error: 'must be a label' })
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(/^[A-Za-z0-9_.:-]+$/, { error: 'letters, digits and _ . : - only' });

/** An enum whose rejection lists what is allowed. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const quoted = values.map((v) => `"${v}"`);
  const message =
    values.length === 2 ? `must be ${quoted[0]} or ${quoted[1]}` : `must be one of ${quoted.join(', ')}`;
  return z.enum(values, { error: message });
}

export const flag = z.boolean({ error: 'must be true or false' });
