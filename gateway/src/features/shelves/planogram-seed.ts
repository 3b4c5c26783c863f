import { dirname, isAbsolute, resolve } from 'node:path';
import type { Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import { planogramToWire } from '../../core/facings.js';
import { loadPlanogramFile } from '../../registry/planogram-file.js';
import type { ShelvesStore } from '../../registry/planogram-store.js';

/**
 * Import `shelves.planogram` when the file changed since it was last imported. Edits made later through the
 * API or CLI win over an unchanged file; a broken file is logged and the stored planogram stays in force.
 */
export function seedPlanogramFromConfig(
  config: LoadedConfig,
  store: ShelvesStore,
  now: number,
  logger: Logger,
): void {
  const file = config.shelves.planogram;
  if (!file) return;
  const configFile = config.configFile;
  const resolved = isAbsolute(file) || !configFile ? file : resolve(dirname(configFile), file);
  try {
    const wire = JSON.stringify(planogramToWire(loadPlanogramFile(resolved)));
    const imported = store.latestBy('config');
    if (imported && JSON.stringify(planogramToWire(imported.plates)) === wire) return;
    store.replace(JSON.parse(wire), 'config', `loaded ${resolved}`, now);
  } catch (err) {
    logger.error(
      { err, file: resolved, version: store.version() },
      'planogram file not loaded; keeping the stored planogram',
    );
  }
}
