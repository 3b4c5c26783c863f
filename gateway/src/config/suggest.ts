import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/**
 * A "did you mean" only when a candidate is close: at most 2 edits (a swapped pair of letters is 2) or a third
 * of the word, and at most half of it; or a candidate the word starts with (`baudrate` → `baud`).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const w = word.toLowerCase();
  const best = closest(
    w,
    candidates.map((c) => c.toLowerCase()),
  );
  const d = distance(w, best);
  const hit = d <= Math.max(2, Math.floor(w.length / 3)) && d <= w.length / 2 ? best : undefined;
  const prefix = candidates.find((c) => c.length >= 3 && w.startsWith(c.toLowerCase()));
  const chosen = hit ?? prefix?.toLowerCase();
  return chosen === undefined ? undefined : candidates.find((c) => c.toLowerCase() === chosen);
}

type Node = z.core.$ZodType;

/** Unwraps default/optional/nullable/pipe/readonly/lazy to the schema that holds the keys. */
function unwrap(schema: Node): Node {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s._zod.def as { type: string; innerType?: Node; in?: Node; getter?: () => Node };
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else break;
  }
  return s;
}

/** The keys an object schema accepts at `path` (array indexes step into elements, unions into every option). */
export function knownKeysAt(schema: Node, path: readonly PropertyKey[]): string[] {
  let nodes = [unwrap(schema)];
  for (const segment of path) {
    const next: Node[] = [];
    for (const node of nodes) {
      const def = node._zod.def as {
        type: string;
        shape?: Record<string, Node>;
        element?: Node;
        options?: Node[];
        valueType?: Node;
      };
      if (def.type === 'object' && def.shape && typeof segment === 'string' && def.shape[segment])
        next.push(unwrap(def.shape[segment]));
      else if (def.type === 'array' && def.element) next.push(unwrap(def.element));
      else if (def.type === 'record' && def.valueType) next.push(unwrap(def.valueType));
      else if (def.type === 'union' && def.options) {
        for (const o of def.options) nodes.push(unwrap(o));
      }
    }
    nodes = next.flatMap((n) => {
      const def = n._zod.def as { type: string; options?: Node[] };
      return def.type === 'union' && def.options ? def.options.map(unwrap) : [n];
    });
  }
  const keys = new Set<string>();
  for (const node of nodes) {
    const def = node._zod.def as { type: string; shape?: Record<string, Node> };
    if (def.type === 'object' && def.shape) for (const k of Object.keys(def.shape)) keys.add(k);
  }
  return [...keys];
}

/** IANA zones this Node knows (ICU), plus UTC, which `supportedValuesOf` leaves out. */
function timeZones(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone')];
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function timeZoneHint(tz: string): string {
  const guess = didYouMean(tz, timeZones());
  return guess
    ? `did you mean "${guess}"?`
    : 'an IANA time zone such as Europe/Amsterdam or America/New_York (timedatectl list-timezones)';
}
