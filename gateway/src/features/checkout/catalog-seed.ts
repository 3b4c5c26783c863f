import { createHash } from 'node:crypto';
import type { Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import { configCatalog } from '../../registry/catalog-file.js';
import type { ApplyResult, CatalogStore } from '../../registry/catalog-store.js';

/**
 * Import `checkout.catalog` (a file or inline) when it changed since it was last imported from the config. A
 * catalog synced later by the cloud or the CLI wins over an unchanged config; a broken file, or a version not
 * newer than the current catalog, is logged with its path and the stored catalog stays in force (a lane keeps
 * verifying). Returns what was applied, or null.
 */
export function seedCatalogFromConfig(
  config: LoadedConfig,
  store: CatalogStore,
  now: number,
  logger: Logger,
): ApplyResult | null {
  if (config.checkout.catalog === undefined) return null;
  let from = typeof config.checkout.catalog === 'string' ? config.checkout.catalog : 'inline';
  try {
    const seed = configCatalog(config);
    if (!seed) return null;
    from = seed.from;
    const digest = createHash('sha256').update(JSON.stringify(seed.doc)).digest('hex');
    if (store.seedDigest() === digest) return null;
    return store.apply(seed.doc, `config ${seed.from}`, now, digest);
  } catch (err) {
    logger.error(
      { err, catalog: from, version: store.version()?.version ?? null },
      'checkout.catalog not imported; keeping the stored catalog',
    );
    return null;
  }
}
