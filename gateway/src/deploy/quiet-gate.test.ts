import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/src/clock.js';
import { parseConfig } from '../config/load.js';
import type { GatewayProbe } from './gateway-probe.js';
import { waitForQuietTime } from './quiet-gate.js';

/** A gateway's /metrics text as prom-client writes it, replaced by the test as the store changes. */
function metricsProbe(text: () => string | null): GatewayProbe {
  return {
    get: async () => {
      const t = text();
      return t === null ? null : { status: 200, body: t };
    },
  };
}

const config = parseConfig({
  store: { id: 's1', timezone: 'UTC' },
  upgrade: { quiet_window: { start: '02:00', end: '05:00' }, poll_interval_ms: 1000, max_wait_ms: 60_000 },
});

async function settle(p: Promise<unknown>, clock: FakeClock, step: () => void): Promise<void> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 200 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    step();
    clock.advance(1000);
  }
}

describe('upgrade quiet gate', () => {
  it('waits while a lane session is open, even with --force, and goes once it closes', async () => {
    const clock = new FakeClock(Date.parse('2026-12-01T12:00:00Z'));
    let open = 1;
    const log: string[] = [];
    const probe = metricsProbe(
      () =>
        `# TYPE storegate_lane_sessions_open gauge\nstoregate_lane_sessions_open{lane="lane-1"} ${open}\n`,
    );
    let polls = 0;
    const gate = waitForQuietTime({ config, probe, clock, log: (l) => log.push(l) }, true);
    await settle(gate, clock, () => {
      if (++polls === 5) open = 0;
    });
    const waited = await gate;
    expect(waited).toBeGreaterThanOrEqual(3000);
    expect(log).toEqual(['waiting: 1 lane session(s) open']);
  });

  it('without --force waits for the quiet window in the store time zone; gives up after max_wait_ms', async () => {
    const clock = new FakeClock(Date.parse('2026-12-01T01:59:50Z'));
    const gate = waitForQuietTime({ config, probe: metricsProbe(() => null), clock, log: () => {} }, false);
    await settle(gate, clock, () => {});
    expect(await gate).toBeGreaterThanOrEqual(10_000);
    expect(new Date(clock.now()).toISOString() >= '2026-12-01T02:00:00').toBe(true);

    const noon = new FakeClock(Date.parse('2026-12-01T12:00:00Z'));
    const blocked = waitForQuietTime(
      { config, probe: metricsProbe(() => null), clock: noon, log: () => {} },
      false,
    );
    blocked.catch(() => {});
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setImmediate(r));
      noon.advance(1000);
    }
    await expect(blocked).rejects.toMatchObject({ code: 'SG_UPGRADE_BLOCKED' });
  });

  it('a calibration step within calibration_idle_ms blocks too', async () => {
    const clock = new FakeClock(Date.parse('2026-12-01T03:00:00Z'));
    const last = Math.floor(clock.now() / 1000) - 590; // idle after 600 s: about 10 s more
    const probe = metricsProbe(() => `storegate_shelf_calibration_last_activity_seconds ${last}\n`);
    const log: string[] = [];
    const gate = waitForQuietTime({ config, probe, clock, log: (l) => log.push(l) }, false);
    await settle(gate, clock, () => {});
    await gate;
    expect(log).toEqual(['waiting: a shelf calibration is in progress']);
    expect(clock.now() - last * 1000).toBeGreaterThanOrEqual(config.upgrade.calibration_idle_ms);
  });
});
