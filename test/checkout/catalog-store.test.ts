import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoregateError } from '../../gateway/src/core/errors.js';
import { CatalogStore } from '../../gateway/src/registry/catalog-store.js';

const V1 = {
  version: 1,
  items: [
    { gtin: '5012345678900', sku: 'cola-330', grams: 352, tolerance_grams: 8 },
    { gtin: '4006381333931', sku: 'chips-150', grams: 160 },
  ],
};
const V2 = {
  version: 2,
  items: [
    { gtin: '5012345678900', sku: 'cola-330', grams: 330 }, // reformulated: lighter can
    { gtin: '4006381333931', sku: 'chips-150', grams: 161 },
    { gtin: '8001234567897', sku: 'wine-750', grams: 1250, age_restricted: true },
  ],
};

describe('catalog store (checkout.db)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-catalog-'));
    file = join(dir, 'checkout.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies a new version atomically, survives reopening (offline), forgets learned weights of changed items', () => {
    const store = CatalogStore.open(file);
    expect(store.apply(V1, 'test', 1).version).toBe(1);
    store.saveLearned([
      {
        gtin: '05012345678900',
        n: 20,
        weight: 20,
        mean: 351,
        m2: 40,
        recent: [351],
        rejected: 0,
        updatedAt: 1,
      },
      {
        gtin: '04006381333931',
        n: 20,
        weight: 20,
        mean: 160,
        m2: 40,
        recent: [160],
        rejected: 0,
        updatedAt: 1,
      },
    ]);
    const r = store.apply(V2, 'test', 2);
    expect(r).toMatchObject({ applied: true, version: 2, items: 3, relearn: ['05012345678900'] });
    store.close();

    const reopened = CatalogStore.open(file);
    expect(reopened.version()).toMatchObject({ version: 2, itemCount: 3, source: 'test' });
    expect(reopened.get('5012345678900')?.grams).toBe(330);
    expect(reopened.get('012345678905')).toBeUndefined();
    expect(reopened.get('8001234567897')?.ageRestricted).toBe(true);
    expect(reopened.learned().map((l) => l.gtin)).toEqual(['04006381333931']);
    reopened.close();
  });

  it('a malformed catalog is rejected with a clear error and the old one is kept', () => {
    const store = CatalogStore.open(file);
    store.apply(V1, 'test', 1);
    const bad = {
      version: 2,
      items: [
        { gtin: '5012345678900', sku: 'cola-330', grams: 352 },
        { gtin: '5012345678901', sku: 'typo', grams: 10 },
        { gtin: '4006381333931', sku: 'chips', grams: -5 },
        { gtin: '5012345678900', sku: 'dup', grams: 1 },
      ],
    };
    let error: unknown;
    try {
      store.apply(bad, 'cloud', 2);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoregateError);
    const message = (error as Error).message;
    expect(message).toMatch(/kept/);
    expect(message).toMatch(/items\[1\]\.gtin: check digit is wrong/);
    expect(message).toMatch(/items\[2\]\.grams/);
    expect(message).toMatch(/items\[3\]\.gtin: duplicate gtin/);
    expect(store.version()?.version).toBe(1);
    expect(store.get('5012345678900')?.sku).toBe('cola-330');
    expect(store.list()).toHaveLength(2);
    expect(() => store.apply({ items: 'nope' }, 'cloud', 3)).toThrow(/items/);
    store.close();
  });

  it('refuses a stale version; an unversioned import becomes the next version', () => {
    const store = CatalogStore.open(file);
    store.apply(V2, 'cloud', 1);
    expect(() => store.apply(V1, 'cloud', 2)).toThrow(/not newer than the current version 2/);
    expect(store.version()?.version).toBe(2);
    expect(store.apply({ items: V1.items }, 'file', 3).version).toBe(3);
    expect(store.list()).toHaveLength(2);
    store.close();
  });

  it('a running gateway picks up an import done by another process', () => {
    const gateway = CatalogStore.open(file);
    expect(gateway.refreshIfChanged()).toBeNull();
    gateway.apply(V1, 'cloud', 1);
    const cli = CatalogStore.open(file);
    cli.apply(V2, 'file', 2);
    cli.close();
    expect(gateway.refreshIfChanged()).toEqual(['05012345678900']);
    expect(gateway.get('8001234567897')?.sku).toBe('wine-750');
    expect(gateway.refreshIfChanged()).toBeNull();
    gateway.close();
  });
});
