import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';

describe('footfall config section', () => {
  it('has working defaults: SQLite rollups, gpiod driver, exits rescaled, store empty at 03:00', () => {
    const c = parseConfig({}, { env: {} });
    expect(c.footfall).toMatchObject({
      enabled: true,
      store_empty_time: '03:00',
      drift_correction: 'exits',
      gpio_driver: 'gpiod',
      rollup_days: 400,
      doors: [],
    });
    expect(c.footfall.influx).toBeUndefined();
  });

  it('reports every problem with its path: duplicate doors, shared GPIO lines, bad times and URLs', () => {
    const bad = {
      footfall: {
        store_empty_time: '25:00',
        doors: [{ id: 'd1', gpio: { pin_a: 17, pin_b: 17 } }, { id: 'd1' }],
        influx: { url: 'not a url', retention: '30 days' },
      },
    };
    let message = '';
    try {
      parseConfig(bad, { env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/footfall\.store_empty_time: HH:MM/);
    expect(message).toMatch(
      /footfall\.doors\.0\.gpio\.pin_b: GPIO gpiochip0:17 is already used by doors\[0\]\.gpio\.pin_a/,
    );
    expect(message).toMatch(/footfall\.doors\.1\.id: duplicate door id "d1"/);
    expect(message).toMatch(/footfall\.influx\.url/);
    expect(message).toMatch(/footfall\.influx\.retention: an InfluxQL duration/);
  });

  it('fills InfluxDB defaults: 5000-point batches, 1 s flush, ms precision, 30d / 400d retention', () => {
    const c = parseConfig({ footfall: { influx: { url: 'http://127.0.0.1:8086' } } }, { env: {} });
    expect(c.footfall.influx).toMatchObject({
      database: 'storegate',
      batch_size: 5_000,
      flush_interval_ms: 1_000,
      precision: 'ms',
      retention: '30d',
      rollup_retention: '400d',
      max_buffered_points: 1_000_000,
    });
  });
});
