import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { FakeGpio } from '../../gateway/src/connectors/gpio/fake-gpio.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { FakeClock } from '../../shared/src/clock.js';
import { authedFetch, seedToken } from '../support/auth.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-gpio-door-'));
let gw: Gateway | null = null;
afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a GPIO dual-beam door through the gateway (fake GPIO port)', () => {
  it('turns beam edges into door.entry, alarms on a held beam, and shows it on /api/occupancy', async () => {
    const t0 = Date.UTC(2026, 10, 20, 9);
    const clock = new FakeClock(t0);
    const config = parseConfig(
      {
        data_dir: join(dir, 'data'),
        log: { level: 'fatal' },
        http: { host: '127.0.0.1', port: 0 },
        broker: { host: '127.0.0.1', port: 0 },
        footfall: {
          blocked_alarm_ms: 5_000,
          doors: [{ id: 'door-1', gpio: { chip: 'gpiochip0', pin_a: 17, pin_b: 27, active_low: true } }],
        },
      },
      { env: {}, baseDir: dir },
    );
    const gpio = new FakeGpio(clock);
    gpio.setPhysical('gpiochip0', 17, 1); // beams intact: receivers pull high
    gpio.setPhysical('gpiochip0', 27, 1);
    gw = await buildGateway(config, { clock, logger: pino({ level: 'silent' }), gpio });
    const events: StoreEvent[] = [];
    gw.context.live.on('events', (evs) => events.push(...evs));
    await gw.start();

    const edge = async (pin: number, level: 0 | 1, dt: number) => {
      clock.advance(dt);
      gpio.setPhysical('gpiochip0', pin, level);
      await new Promise((r) => setTimeout(r, 2));
    };
    // Someone walks in: a breaks, b breaks, a clears, b clears (levels go low while broken).
    await edge(17, 0, 200);
    await edge(27, 0, 200);
    await edge(17, 1, 200);
    await edge(27, 1, 200);
    clock.advance(1_000);
    await expect.poll(() => events.filter((e) => e.type === 'door.entry').length).toBe(1);
    expect(events.find((e) => e.type === 'door.entry')!.data).toMatchObject({
      device: 'door-1',
      source: 'beam',
    });

    // A pallet left on beam b.
    await edge(27, 0, 1_000);
    for (let i = 0; i < 7; i++) {
      clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 2));
    }
    await expect.poll(() => events.some((e) => e.type === 'door.blocked')).toBe(true);
    const base = `http://${gw.addresses().http!.replace(/^https?:\/\//, '')}`;
    const api = authedFetch(seedToken(gw.context.config.dataDir, 'viewer'));
    const occ = (await (await api(`${base}/api/occupancy`)).json()) as Record<string, unknown>;
    expect(occ).toMatchObject({ occupancy: 1, in: 1, blocked_beams: ['door-1/b'] });
  });
});
