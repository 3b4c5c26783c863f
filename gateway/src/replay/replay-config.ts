import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { type LoadedConfig, parseConfig } from '../config/load.js';
import type { CalibrationRecord } from '../core/calibration.js';
import type { CatalogItem } from '../core/catalog.js';
import type { PlateSpec } from '../core/planogram.js';
import { CatalogStore } from '../registry/catalog-store.js';
import { loadPlanogramFile } from '../registry/planogram-file.js';
import { ShelvesStore } from '../registry/planogram-store.js';
import type { ReplaySetup } from './replay-domain.js';

/**
 * Without `--config`, replay runs every section's defaults (what a gateway without storegate.yaml runs) and
 * reads nothing from a data_dir. The store is called "replay" in derived events.
 */
export function defaultReplayConfig(): LoadedConfig {
  return parseConfig({ store: { id: 'replay' } }, { env: {}, configFile: null });
}

/** A data_dir file, only when the config came from a file (`--config`) and the gateway has created it. */
function dataFile(config: LoadedConfig, name: string): string | null {
  if (config.configFile === null) return null;
  const file = join(config.dataDir, name);
  return existsSync(file) ? file : null;
}

export interface ReplayPlanogram {
  plates: PlateSpec[];
  calibrations: CalibrationRecord[];
  /** Where the plates came from, for messages. */
  from: string;
}

/**
 * The plates: `--planogram FILE`, else `shelves.planogram` of the config, else the current planogram in
 * data_dir/shelves.db. Calibrations come from shelves.db whenever `--config` names a data_dir that has one,
 * so a recording of raw device grams replays with the corrections the gateway applied.
 */
export function replayPlanogram(setup: ReplaySetup): ReplayPlanogram | null {
  const { config } = setup;
  const db = dataFile(config, 'shelves.db');
  const stored = db ? readShelves(db) : null;
  const calibrations = stored?.calibrations ?? [];
  if (setup.planogram)
    return { plates: loadPlanogramFile(setup.planogram), calibrations, from: setup.planogram };
  const seed = config.shelves.planogram;
  if (seed) {
    const file = isAbsolute(seed) || !config.configFile ? seed : resolve(dirname(config.configFile), seed);
    return { plates: loadPlanogramFile(file), calibrations, from: file };
  }
  if (stored && stored.plates.length > 0) return { plates: stored.plates, calibrations, from: db! };
  return null;
}

function readShelves(file: string): { plates: PlateSpec[]; calibrations: CalibrationRecord[] } {
  const store = new ShelvesStore(file);
  try {
    return { plates: [...(store.current()?.plates ?? [])], calibrations: store.calibrations() };
  } finally {
    store.close();
  }
}

/** The catalog items of data_dir/checkout.db when `--config` names a data_dir that has one. */
export function storedCatalog(config: LoadedConfig): { items: CatalogItem[]; from: string } | null {
  const file = dataFile(config, 'checkout.db');
  if (!file) return null;
  const store = CatalogStore.open(file);
  try {
    return { items: store.list(), from: file };
  } finally {
    store.close();
  }
}
