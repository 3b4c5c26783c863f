import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { type CatalogInput, parseCatalog } from '../core/catalog.js';
import { StoregateError } from '../core/errors.js';

/** A catalog JSON file, validated with the schema of `storegate catalog import` (errors name the file). */
export function loadCatalogFile(path: string): CatalogInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StoregateError('SG_IO', `cannot read catalog ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StoregateError('SG_PAYLOAD_REJECTED', `catalog ${path} is not JSON: ${(err as Error).message}`);
  }
  parseCatalog(json, `catalog ${path}`);
  return json as CatalogInput;
}

export interface ConfigCatalog {
  /** The document as written (file or inline), already validated. */
  doc: CatalogInput;
  /** Where it came from, for messages and the catalog's `source`: the resolved file, or `storegate.yaml`. */
  from: string;
}

/**
 * `checkout.catalog` of the config: a file (relative to the config file) or the inline document, which the
 * config schema has validated already. Throws with the file's path when the file is missing or malformed.
 */
export function configCatalog(config: LoadedConfig): ConfigCatalog | null {
  const seed = config.checkout.catalog;
  if (seed === undefined) return null;
  if (typeof seed !== 'string') return { doc: seed, from: config.configFile ?? 'the config' };
  const file = isAbsolute(seed) || !config.configFile ? seed : resolve(dirname(config.configFile), seed);
  return { doc: loadCatalogFile(file), from: file };
}
