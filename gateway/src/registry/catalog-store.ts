import {
  type CatalogItem,
  type CatalogView,
  gtinKey,
  type LearnedWeight,
  parseCatalog,
  toCatalogItem,
} from '../core/catalog.js';
import { StoregateError } from '../core/errors.js';
import { catalogMigrations } from './catalog-migrations.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { applyMigrations } from './migrations.js';

export interface CatalogVersion {
  version: number;
  source: string;
  appliedAt: number;
  itemCount: number;
}

export interface ApplyResult {
  applied: boolean;
  version: number;
  items: number;
  /** GTINs whose nominal weight changed so much that what was learned about them was forgotten. */
  relearn: string[];
  message: string;
}

interface ItemRow {
  gtin: string;
  sku: string;
  name: string | null;
  grams: number | null;
  tolerance_grams: number | null;
  weight_exempt: number;
  sold_by_weight: number;
  age_restricted: number;
}

/**
 * The lane catalog cached in `${data_dir}/checkout.db`, so lanes verify with the cloud down. A sync replaces the
 * whole catalog in one IMMEDIATE transaction: readers see the old version or the new one, never a mix, and a
 * rejected document (schema error, stale version) leaves the old one untouched. Learned weights live beside it.
 */
export class CatalogStore implements CatalogView {
  private items = new Map<string, CatalogItem>();
  private loaded: string | null = null;

  private constructor(private readonly db: SqliteDatabase) {
    this.reload();
  }

  static open(file: string): CatalogStore {
    const db = openDatabase(file);
    applyMigrations(db, 'checkout-catalog', catalogMigrations);
    return new CatalogStore(db);
  }

  get(code: string): CatalogItem | undefined {
    return this.items.get(gtinKey(code));
  }

  list(): CatalogItem[] {
    return [...this.items.values()];
  }

  version(): CatalogVersion | null {
    const row = this.db
      .prepare<[], { version: number; source: string; applied_at: number; item_count: number }>(
        'SELECT version, source, applied_at, item_count FROM catalog_meta WHERE id = 1',
      )
      .get();
    return row
      ? { version: row.version, source: row.source, appliedAt: row.applied_at, itemCount: row.item_count }
      : null;
  }

  /**
   * Validate and apply a catalog document. A missing `version` means "the next local version"; an older or
   * equal version than the current one is refused (a late cloud retry must not roll back a newer catalog).
   * `seedDigest` (an import from the config) is recorded in the same transaction.
   */
  apply(json: unknown, source: string, at: number, seedDigest?: string): ApplyResult {
    const doc = parseCatalog(json, `catalog from ${source}`);
    const tx = this.db.transaction((): ApplyResult => {
      const current = this.version();
      const version = doc.version ?? (current?.version ?? 0) + 1;
      if (current && version <= current.version) {
        throw new StoregateError(
          'SG_PAYLOAD_REJECTED',
          `catalog version ${version} from ${source} is not newer than the current version ${current.version}; kept the current one`,
          { hint: 'give the catalog a higher "version", or omit it for the next local version' },
        );
      }
      const old = new Map(this.items);
      const relearn: string[] = [];
      this.db.prepare('DELETE FROM catalog_items').run();
      const insert = this.db.prepare(
        `INSERT INTO catalog_items (gtin_key, gtin, sku, name, grams, tolerance_grams, weight_exempt, sold_by_weight,
           age_restricted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const wire of doc.items) {
        const item = toCatalogItem(wire);
        const key = gtinKey(item.gtin);
        insert.run(
          key,
          item.gtin,
          item.sku,
          item.name,
          item.grams,
          item.toleranceGrams,
          Number(item.weightExempt),
          Number(item.soldByWeight),
          Number(item.ageRestricted),
        );
        if (reformulated(old.get(key), item)) relearn.push(key);
      }
      const forget = this.db.prepare('DELETE FROM learned_weights WHERE gtin_key = ?');
      for (const key of relearn) forget.run(key);
      this.db
        .prepare(
          `INSERT INTO catalog_meta (id, version, source, applied_at, item_count) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET version = excluded.version, source = excluded.source,
             applied_at = excluded.applied_at, item_count = excluded.item_count`,
        )
        .run(version, source, at, doc.items.length);
      if (seedDigest !== undefined)
        this.db
          .prepare(
            `INSERT INTO catalog_seed (id, digest, applied_at) VALUES (1, ?, ?)
             ON CONFLICT(id) DO UPDATE SET digest = excluded.digest, applied_at = excluded.applied_at`,
          )
          .run(seedDigest, at);
      return {
        applied: true,
        version,
        items: doc.items.length,
        relearn,
        message: `catalog version ${version} applied (${doc.items.length} items)`,
      };
    });
    const result = tx.immediate();
    this.reload();
    return result;
  }

  /** Digest of the document last imported from the config's `checkout.catalog` (see catalog-seed.ts). */
  seedDigest(): string | null {
    return (
      this.db.prepare<[], { digest: string }>('SELECT digest FROM catalog_seed WHERE id = 1').get()?.digest ??
      null
    );
  }

  learned(): LearnedWeight[] {
    return this.db
      .prepare<
        [],
        {
          gtin_key: string;
          n: number;
          weight: number;
          mean: number;
          m2: number;
          recent: string;
          rejected: number;
          updated_at: number;
          anchor: number | null;
          anchor_at: number | null;
        }
      >('SELECT * FROM learned_weights')
      .all()
      .map((r) => ({
        gtin: r.gtin_key,
        n: r.n,
        weight: r.weight,
        mean: r.mean,
        m2: r.m2,
        recent: JSON.parse(r.recent) as number[],
        rejected: r.rejected,
        updatedAt: r.updated_at,
        anchor: r.anchor,
        anchorAt: r.anchor_at,
      }));
  }

  /** Persist learned weights in one transaction (the feature flushes the learner's dirty set periodically). */
  saveLearned(entries: ReadonlyArray<LearnedWeight | { gtin: string; deleted: true }>): void {
    if (entries.length === 0) return;
    const upsert = this.db.prepare(
      `INSERT INTO learned_weights (gtin_key, n, weight, mean, m2, recent, rejected, updated_at, anchor, anchor_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(gtin_key) DO UPDATE SET n = excluded.n, weight = excluded.weight, mean = excluded.mean,
         m2 = excluded.m2, recent = excluded.recent, rejected = excluded.rejected, updated_at = excluded.updated_at,
         anchor = excluded.anchor, anchor_at = excluded.anchor_at`,
    );
    const remove = this.db.prepare('DELETE FROM learned_weights WHERE gtin_key = ?');
    this.db.transaction(() => {
      for (const e of entries) {
        if ('deleted' in e) remove.run(e.gtin);
        else
          upsert.run(
            e.gtin,
            e.n,
            e.weight,
            e.mean,
            e.m2,
            JSON.stringify(e.recent),
            e.rejected,
            e.updatedAt,
            e.anchor ?? null,
            e.anchorAt ?? null,
          );
      }
    })();
  }

  close(): void {
    this.db.close();
  }

  /**
   * Pick up a catalog another process (`storegate catalog import`) applied meanwhile. Returns the GTIN keys whose
   * learned weights must be forgotten, or null if nothing changed.
   */
  refreshIfChanged(): string[] | null {
    const v = this.version();
    const stamp = v ? `${v.version}@${v.appliedAt}` : null;
    if (stamp === this.loaded) return null;
    const old = this.items;
    this.reload();
    return [...this.items].filter(([key, item]) => reformulated(old.get(key), item)).map(([key]) => key);
  }

  private reload(): void {
    const v = this.version();
    this.loaded = v ? `${v.version}@${v.appliedAt}` : null;
    const rows = this.db.prepare<[], ItemRow>('SELECT * FROM catalog_items').all();
    this.items = new Map(
      rows.map((r) => [
        gtinKey(r.gtin),
        {
          gtin: r.gtin,
          sku: r.sku,
          name: r.name,
          grams: r.grams,
          toleranceGrams: r.tolerance_grams,
          weightExempt: r.weight_exempt === 1,
          soldByWeight: r.sold_by_weight === 1,
          ageRestricted: r.age_restricted === 1,
        },
      ]),
    );
  }
}

/** A reformulated product: what was learned about the old one would now raise false alarms. */
function reformulated(before: CatalogItem | undefined, after: CatalogItem): boolean {
  if (before?.grams == null || after.grams === null) return false;
  return Math.abs(before.grams - after.grams) > Math.max(5, 0.05 * before.grams);
}
