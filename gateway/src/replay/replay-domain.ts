import type { Clock } from '../../../shared/src/clock.js';
import type { Reading } from '../../../shared/src/readings.js';
import type { Processor } from '../ports/pipeline.js';

export interface ReplayOptions {
  /** `--planogram FILE` (shelves). */
  planogram?: string;
  /** `--catalog FILE` (checkout lanes). */
  catalog?: string;
}

/**
 * One domain's part of `storegate replay`: how its input lines become normalized readings, and which
 * processors (the same classes as live) consume them. Domains are tried in order; the first whose `parse`
 * returns non-null owns the line.
 */
export interface ReplayDomain {
  readonly name: string;
  /** Readings for a recognised line; null if the line is not this domain's; throws with a reason if malformed. */
  parse(line: Record<string, unknown>): Reading[] | null;
  /** Build this domain's processors on the replay's virtual clock. Called once, before the first line. */
  processors(options: ReplayOptions, clock: Clock): Processor[];
}
