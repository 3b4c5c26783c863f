import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { authedFetch, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * End to end over a real serial link: the firmware-bridge shelf emulator (12 HX711-class plates at 60 Hz, raw
 * counts with its own calibration) on a socat PTY → the gateway's serial connector → ShelfFeature; and the
 * device-side tare/calibrate commands from the HTTP API back to the emulator.
 */
describe('shelves over a real serial PTY (shelf emulator → gateway)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-shelf-pty-'));
  const emulator = new ShelfEmulator(
    { deviceId: 'shelf-1', serialNumber: 'SGS-9', hardware: 'sg-shelf-12', firmware: '1.0.0' },
    { seed: 11, spikeProbability: 0.001 },
  );
  const events: StoreEvent[] = [];
  let pair: PtyPair;
  let runner: { stop(): Promise<void> };
  let gw: Gateway;
  let base = '';
  let api: (url: string, init?: RequestInit) => Promise<Response> = fetch;

  beforeAll(async () => {
    pair = await createPtyPair(join(dir, 'gw-shelf'), join(dir, 'dev-shelf'));
    runner = runOnPort(emulator, join(dir, 'dev-shelf'));
    writeFileSync(
      join(dir, 'planogram.json'),
      JSON.stringify({
        plates: [
          {
            device: 'shelf-1',
            channel: 5,
            sku: 'cola-330',
            unit_grams: 330,
            tolerance_grams: 6,
            capacity: 40,
          },
          {
            device: 'shelf-1',
            channel: 6,
            sku: 'jam-500',
            unit_grams: 500,
            tolerance_grams: 8,
            capacity: 12,
          },
        ],
      }),
    );
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    const config = parseConfig(
      {
        data_dir: join(dir, 'data'),
        http: { host: '127.0.0.1', port: httpPort },
        broker: { host: '127.0.0.1', port: brokerPort },
        serial: {
          backoff_initial_ms: 100,
          backoff_max_ms: 400,
          devices: [
            {
              id: 'shelf-1',
              driver: 'storegate',
              kind: 'shelf',
              path: join(dir, 'gw-shelf'),
              expect_serial: 'SGS-9',
            },
          ],
        },
        shelves: { planogram: 'planogram.json' },
      },
      { env: {}, baseDir: dir, configFile: join(dir, 'storegate.yaml') },
    );
    gw = await buildGateway(config, { logger: pino({ level: process.env.SG_TEST_LOG ?? 'silent' }) });
    gw.context.live.on('events', (evs) => events.push(...evs));
    await gw.start();
    api = authedFetch(seedToken(config.dataDir));
  });

  afterAll(async () => {
    await gw?.stop('test end');
    await runner?.stop();
    await pair?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plate = async (channel: number) => {
    const body = (await (await api(`${base}/api/shelves`)).json()) as {
      plates: { channel: number; stock: number | null }[];
    };
    return body.plates.find((p) => p.channel === channel)!;
  };

  it('a pick on the emulated plate becomes shelf.pick with SKU and quantity, and stock drops', async () => {
    let before: number | null = null;
    const deadline = Date.now() + 15_000;
    while (before === null && Date.now() < deadline) {
      before = (await plate(5)).stock;
      if (before === null) await new Promise((r) => setTimeout(r, 200));
    }
    expect(before).not.toBeNull();
    emulator.interact(5, -660, 700);
    // Two cans leave the plate. The emulated hand wobbles through the one-can level on its way, which the model
    // may read as two cans taken one after the other (two events of 1, `split_of: 2`, one settled_at): what this
    // serial path must deliver is the SKU, the two units and the stock, not one event granularity.
    const picked = () =>
      events
        .filter((e) => e.type === 'shelf.pick')
        .reduce((n, e) => n + ((e.data as { qty: number }).qty ?? 0), 0);
    await until(() => picked() >= 2, 'shelf.pick of 2 units');
    const picks = events.filter((e) => e.type === 'shelf.pick');
    for (const pick of picks) {
      expect(pick.data).toMatchObject({ device: 'shelf-1', channel: 5, sku: 'cola-330' });
      expect(pick.dataClass).toBe('must_deliver');
    }
    expect(picked()).toBe(2);
    expect((await plate(5)).stock).toBe(Math.max(0, before! - 2));
  });

  it('device-side tare and calibrate round-trip over the serial protocol; the tare jump is not a pick', async () => {
    const picksBefore = events.filter((e) => e.type === 'shelf.pick').length;
    const tare = await api(`${base}/api/shelves/shelf-1/6/tare`, { method: 'POST' });
    expect(tare.status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect(events.filter((e) => e.type === 'shelf.pick').length).toBe(picksBefore);
    await until(() => emulator.plateGrams(6) === 0, 'emulator plate 6 tared');
    emulator.interact(6, 1000, 300);
    await new Promise((r) => setTimeout(r, 1000));
    const cal = await api(`${base}/api/shelves/shelf-1/6/calibrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ known_grams: 1000 }),
    });
    expect(cal.status).toBe(200);
    expect(((await cal.json()) as { counts_per_gram: number }).counts_per_gram).toBeGreaterThan(300);
    // Calibrating an empty plate is refused with a hint instead of storing a zero factor.
    await api(`${base}/api/shelves/shelf-1/7/tare`, { method: 'POST' });
    const empty = await api(`${base}/api/shelves/shelf-1/7/calibrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ known_grams: 500 }),
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toMatch(
      /measured no weight/,
    );
    const bad = await api(`${base}/api/shelves/shelf-1/6/explode`, { method: 'POST' });
    expect(bad.status).toBe(400);
    const unknown = await api(`${base}/api/shelves/nope/0/tare`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });
});
