import type { Clock } from '../../../shared/src/clock.js';
import type { Reading } from '../../../shared/src/readings.js';
import type { LoadedConfig } from '../config/load.js';
import type { Processor } from '../ports/pipeline.js';

export interface ReplayOptions {
  /** `--config FILE`: the live gateway's settings and its data_dir (planogram, calibrations, catalog). */
  config?: LoadedConfig;
  /** `--planogram FILE` (shelves); wins over the configured planogram. */
  planogram?: string;
  /** `--catalog FILE` (checkout lanes); wins over the catalog in data_dir. */
  catalog?: string;
}

/** What domains build their processors from: the options, with a config always present (defaults if none). */
export type ReplaySetup = ReplayOptions & { config: LoadedConfig };

/**
 * One domain's part of `storegate replay`: how its input lines become normalized readings, and which
 * processors (built by the same factories as live, features/<domain>/wiring.ts) consume them. Domains are
 * tried in order; the first whose `parse` returns non-null owns the line.
 */
export interface ReplayDomain {
  readonly name: string;
  /** Readings for a recognised line; null if the line is not this domain's; throws with a reason if malformed. */
  parse(line: Record<string, unknown>): Reading[] | null;
  /** Build this domain's processors on the replay's virtual clock. Called once, before the first line. */
  processors(setup: ReplaySetup, clock: Clock): Processor[];
}
