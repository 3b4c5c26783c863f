import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { gtinKey } from '../../core/catalog.js';
import { StoregateError } from '../../core/errors.js';
import { learnedStd } from '../../processors/checkout/weight-learner.js';
import { CatalogStore } from '../../registry/catalog-store.js';
import { loadCliConfig } from '../cli-config.js';
import { fields, printJson, printLine, table } from '../output.js';

/** The gateway reads the same file; it picks up an import within `checkout.flush_learned_ms`. */
export function catalogFile(config: LoadedConfig): string {
  return join(config.dataDir, 'checkout.db');
}

function withCatalog<T>(config: LoadedConfig, fn: (store: CatalogStore) => T): T {
  const store = CatalogStore.open(catalogFile(config));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StoregateError('SG_IO', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StoregateError(
      'SG_PAYLOAD_REJECTED',
      `${file} is not JSON (${(err as Error).message}); the current catalog is kept`,
    );
  }
}

export function registerCatalogCommand(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('the checkout-lane product catalog cached on this gateway');

  catalog
    .command('import')
    .description(
      'validate a catalog JSON file and make it the current version (atomic; a bad file changes nothing)',
    )
    .argument(
      '<file>',
      'catalog JSON: {"version"?: n, "items": [{"gtin", "sku", "grams", "tolerance_grams"?, ...}]}',
    )
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { json?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const json = readJson(file);
      const result = withCatalog(config, (store) => store.apply(json, `file ${file}`, systemClock().now()));
      if (opts.json) printJson(result);
      else {
        printLine(result.message);
        if (result.relearn.length > 0)
          printLine(`learned weights reset for ${result.relearn.length} item(s) whose weight changed`);
      }
    });

  catalog
    .command('show')
    .description('the catalog version in use, or one item with what was learned about its weight')
    .argument('[gtin]', 'a GTIN to show in detail')
    .option('--json', 'machine-readable output')
    .action((gtin: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      withCatalog(config, (store) => {
        const v = store.version();
        if (!gtin) {
          const summary = v
            ? {
                version: v.version,
                source: v.source,
                applied_at: new Date(v.appliedAt).toISOString(),
                items: v.itemCount,
                learned: store.learned().length,
              }
            : { version: null, items: 0, learned: store.learned().length };
          if (opts.json) return printJson(summary);
          if (!v)
            return printLine(
              'no catalog yet: run `storegate catalog import <file>` or sync it from the cloud',
            );
          return printLine(fields(Object.entries(summary).map(([k, x]) => [k, String(x)])));
        }
        const item = store.get(gtin);
        const learned = store.learned().find((l) => l.gtin === gtinKey(gtin));
        if (!item && !learned)
          throw new StoregateError(
            'SG_BAD_ARGUMENT',
            `${gtin} is not in catalog version ${v?.version ?? '(none)'}`,
          );
        const out = {
          gtin: item?.gtin ?? gtin,
          sku: item?.sku ?? null,
          name: item?.name ?? null,
          grams: item?.grams ?? null,
          tolerance_grams: item?.toleranceGrams ?? null,
          weight_exempt: item?.weightExempt ?? null,
          sold_by_weight: item?.soldByWeight ?? null,
          age_restricted: item?.ageRestricted ?? null,
          learned: learned
            ? {
                n: learned.n,
                mean_grams: learned.mean,
                std_grams: learnedStd(learned),
                rejected: learned.rejected,
              }
            : null,
        };
        if (opts.json) return printJson(out);
        printLine(
          table(
            ['field', 'value'],
            Object.entries(out).map(([k, x]) => [
              k,
              typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x),
            ]),
          ),
        );
      });
    });
}
