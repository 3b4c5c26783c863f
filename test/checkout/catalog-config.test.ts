import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGateway } from '../../gateway/src/app.js';
import { type LoadedConfig, parseConfig } from '../../gateway/src/config/load.js';
import { seedCatalogFromConfig } from '../../gateway/src/features/checkout/catalog-seed.js';
import type { CheckoutFeature } from '../../gateway/src/features/checkout/feature.js';
import { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { CatalogStore } from '../../gateway/src/registry/catalog-store.js';
import { FakeClock } from '../../shared/src/clock.js';
import { replayCli } from '../support/process.js';

const COLA = { gtin: '5012345678900', sku: 'cola-330', grams: 352, tolerance_grams: 8 };
const CHIPS = { gtin: '4006381333931', sku: 'chips-150', grams: 160 };
const T0 = 1_767_225_600_000;

/** A logger whose error lines the test reads. */
function capturingLogger() {
  const errors: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => errors.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, errors };
}

describe('checkout.catalog in storegate.yaml', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-catalog-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (catalog: unknown): LoadedConfig =>
    parseConfig(
      { data_dir: dir, checkout: { catalog } },
      { env: {}, baseDir: dir, configFile: join(dir, 'storegate.yaml') },
    );

  it('an inline catalog is validated with the config: a bad item names its config path', () => {
    expect(() => config({ items: [{ ...COLA, gtin: '5012345678901' }] })).toThrow(
      /checkout\.catalog\.items\.0\.gtin: check digit is wrong \(expected 0\)/,
    );
    expect(config({ items: [COLA] }).checkout.catalog).toMatchObject({ items: [{ sku: 'cola-330' }] });
  });

  it('a file (relative to the config) is imported once; an unchanged file does not undo a later sync', () => {
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ items: [COLA] }));
    const { logger, errors } = capturingLogger();
    const store = CatalogStore.open(join(dir, 'checkout.db'));
    try {
      const cfg = config('catalog.json');
      expect(seedCatalogFromConfig(cfg, store, T0, logger)).toMatchObject({ version: 1, items: 1 });
      expect(store.get(COLA.gtin)?.grams).toBe(352);
      expect(store.version()?.source).toBe(`config ${join(dir, 'catalog.json')}`);
      expect(seedCatalogFromConfig(cfg, store, T0 + 1, logger)).toBeNull();

      store.apply({ items: [COLA, CHIPS] }, 'cloud', T0 + 2);
      expect(seedCatalogFromConfig(cfg, store, T0 + 3, logger)).toBeNull();
      expect(store.get(CHIPS.gtin)).toBeDefined();

      writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ items: [{ ...COLA, grams: 355 }] }));
      expect(seedCatalogFromConfig(cfg, store, T0 + 4, logger)).toMatchObject({ version: 3 });
      expect(store.get(COLA.gtin)?.grams).toBe(355);
      expect(store.get(CHIPS.gtin)).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('a broken file is logged with its path and every problem; the stored catalog stays', () => {
    const file = join(dir, 'catalog.json');
    const { logger, errors } = capturingLogger();
    const store = CatalogStore.open(join(dir, 'checkout.db'));
    try {
      store.apply({ items: [COLA] }, 'cloud', T0);
      writeFileSync(file, JSON.stringify({ items: [{ gtin: '123', sku: 'x', grams: 1 }] }));
      expect(seedCatalogFromConfig(config('catalog.json'), store, T0 + 1, logger)).toBeNull();
      writeFileSync(file, '{"items": [');
      expect(seedCatalogFromConfig(config('catalog.json'), store, T0 + 2, logger)).toBeNull();
      expect(seedCatalogFromConfig(config('missing.json'), store, T0 + 3, logger)).toBeNull();
      const messages = errors.map((e) => (e.err as { message: string }).message);
      expect(messages[0]).toContain(`catalog ${file} rejected`);
      expect(messages[0]).toMatch(/items\[0\]\.gtin: a GTIN has 8, 12, 13 or 14 digits/);
      expect(messages[1]).toContain(`catalog ${file} is not JSON`);
      expect(messages[2]).toContain(`cannot read catalog ${join(dir, 'missing.json')}`);
      expect(errors.map((e) => e.msg)).toEqual(
        Array(3).fill('checkout.catalog not imported; keeping the stored catalog'),
      );
      expect(store.version()?.version).toBe(1);
      expect(store.get(COLA.gtin)?.grams).toBe(352);
    } finally {
      store.close();
    }
  });

  it('the gateway starts with the inline catalog, and replay --config verifies with the same catalog', async () => {
    const cfg = parseConfig(
      {
        data_dir: join(dir, 'data'),
        log: { level: 'fatal' },
        http: { host: '127.0.0.1', port: 0 },
        broker: { host: '127.0.0.1', port: 0 },
        checkout: {
          lanes: [{ id: 'lane-1', scanner: 'scan-1', scale: 'scale-1' }],
          catalog: { items: [COLA] },
        },
      },
      { env: {}, baseDir: dir },
    );
    const gw = await buildGateway(cfg, {
      clock: new FakeClock(T0),
      events: new MemoryEventSink(),
      logger: pino({ level: 'silent' }),
    });
    await gw.start();
    try {
      const checkout = gw.features.find((f) => f.name === 'checkout') as CheckoutFeature;
      expect(checkout.catalog.get(COLA.gtin)?.sku).toBe('cola-330');
    } finally {
      await gw.stop();
    }

    writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ items: [COLA] }));
    writeFileSync(
      join(dir, 'storegate.yaml'),
      'data_dir: ./replay-data\ncheckout:\n  catalog: catalog.json\n',
    );
    const lines = [
      { t: T0, lane: 'lane-1', pos: 'basket-open' },
      { t: T0 + 500, lane: 'lane-1', grams: 0, status: 'zero' },
      { t: T0 + 1_000, lane: 'lane-1', scan: COLA.gtin },
      { t: T0 + 2_000, lane: 'lane-1', grams: 353, stable: true },
    ];
    const r = replayCli(
      ['--config', join(dir, 'storegate.yaml'), '--strict'],
      lines.map((l) => JSON.stringify(l)).join('\n'),
    );
    expect(r.stderr).toMatch(/0 rejected/);
    expect(r.lines.find((l) => l.type === 'lane.item.verified')).toMatchObject({ sku: 'cola-330' });

    writeFileSync(join(dir, 'catalog.json'), '{"items": [');
    const bad = replayCli(['--config', join(dir, 'storegate.yaml')], JSON.stringify(lines[0]));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`catalog ${join(dir, 'catalog.json')} is not JSON`);
  });
});
