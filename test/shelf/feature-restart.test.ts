import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { bearer, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';
import { PLANOGRAM } from './shelf-gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-shelf-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Build, start, run `fn` with injected HTTP requests, stop: one gateway "boot" on the shared data dir. */
async function boot(
  fn: (
    get: (url: string) => Promise<unknown>,
    put: (url: string, body: unknown) => Promise<number>,
  ) => Promise<void>,
) {
  const raw = {
    data_dir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: await freePort() },
    broker: { host: '127.0.0.1', port: await freePort() },
    shelves: { planogram: 'planogram.json' },
  };
  const config = parseConfig(raw, { env: {}, baseDir: dir, configFile: join(dir, 'storegate.yaml') });
  const gw = await buildGateway(config, { logger: pino({ level: 'silent' }), events: new MemoryEventSink() });
  await gw.start();
  try {
    const http = gw.context.http;
    const headers = bearer(seedToken(config.dataDir, 'admin', `test-${Date.now()}`));
    await fn(
      async (url) => (await http.inject({ method: 'GET', url, headers })).json(),
      async (url, body) =>
        (await http.inject({ method: 'PUT', url, payload: body as object, headers })).statusCode,
    );
  } finally {
    await gw.stop('test');
  }
}

const skus = (body: unknown) => (body as { plates: { sku: string }[] }).plates.map((p) => p.sku);

describe('ShelfFeature across restarts', () => {
  it('imports the config planogram once; API edits survive a restart; a changed file is imported; a broken one is not', async () => {
    writeFileSync(join(dir, 'planogram.json'), JSON.stringify(PLANOGRAM));
    await boot(async (get, put) => {
      expect(skus(await get('/api/planogram'))).toEqual(['cola-330', 'chips-250']);
      expect(
        await put('/api/planogram/plates/shelf-a3/2', { sku: 'tea-120', unit_grams: 120, capacity: 30 }),
      ).toBe(200);
    });
    await boot(async (get) => {
      expect(skus(await get('/api/planogram'))).toEqual(['cola-330', 'chips-250', 'tea-120']);
      const shelves = (await get('/api/shelves')) as {
        facings: { sku: string; learned_unit_grams: number }[];
      };
      expect(skus(shelves)).toEqual(['cola-330', 'chips-250', 'tea-120']);
      expect(shelves.facings.map((f) => [f.sku, f.learned_unit_grams])).toEqual([
        ['cola-330', 352],
        ['chips-250', 250],
        ['tea-120', 120],
      ]);
    });
    writeFileSync(join(dir, 'planogram.json'), JSON.stringify({ plates: [PLANOGRAM.plates[0]] }));
    await boot(async (get) => {
      expect(skus(await get('/api/planogram'))).toEqual(['cola-330']);
    });
    writeFileSync(join(dir, 'planogram.json'), '{"plates": [{"device": "x"}]}');
    await boot(async (get) => {
      expect(skus(await get('/api/planogram'))).toEqual(['cola-330']);
      const history = (await get('/api/planogram/history')) as { versions: { changed_by: string }[] };
      expect(history.versions.map((v) => v.changed_by)).toEqual([
        'config',
        expect.stringMatching(/^token:test-/),
        'config',
      ]);
    });
  });
});
