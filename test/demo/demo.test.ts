import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDevice, demoDevices } from '../../gateway/src/demo/demo-store.js';
import { demoScene } from '../../gateway/src/demo/simulators.js';
import type { SimContext, Simulator } from '../../shared/src/devices/simulate.js';
import { statusSimulator } from '../../shared/src/devices/status.js';
import { definitionOf } from '../../shared/src/devices/tables.js';
import { type SpawnedDemo, spawnDemo } from '../support/demo.js';

interface DeviceView {
  id: string;
  kind: string;
  state: string;
  online: boolean;
  accepted: number;
  uptime_s: number | null;
  rejected: Record<string, number>;
}

const SERIAL_IDS = ['door-demo-1', 'scale-demo-1', 'scanner-demo-1', 'shelf-demo-1'];

/**
 * Every periodic timer a healthy demo runs, with its period. The simulators' periods come from their hooks;
 * the gateway's and the serial rig's from their code (gateway/src/features/*, firmware-bridge/src/emulators).
 * Issue 15.5 asks for no warning "in the first 5 minutes"; what can warn is a timer's work, so the watch lasts
 * two periods of the slowest one (everything has run at least twice) and then checks that the timers did run.
 * DEMO_QUIET_WATCH_S=300 watches the full 5 minutes.
 */
function demoPeriods(): Record<string, number> {
  const periods: Record<string, number> = {
    'status heartbeat (every MQTT device)': statusSimulator.everyMs,
    'device health check (health.check_interval_ms)': 5_000,
    'footfall minute rollup': 60_000,
    'shelf learned weights saved': 60_000,
    'checkout learned weights saved (checkout.flush_learned_ms)': 5_000,
    'serial emulator heartbeat and door counts': 5_000,
  };
  for (const d of demoDevices) {
    const sim = definitionOf[d.kind].simulate;
    if (sim) periods[`${d.kind} simulator`] = sim.everyMs;
  }
  return periods;
}
const SLOWEST_MS = Math.max(...Object.values(demoPeriods()));
const WATCH_MS = Number(process.env.DEMO_QUIET_WATCH_S ?? 0) * 1000 || 2 * SLOWEST_MS + 10_000;
/** On a loaded machine the evidence may lag the clock a little; wait this much longer for it, then fail. */
const GRACE_MS = 90_000;

/** pino lines at warn (40) or above; the banner and other plain lines are not log lines. */
function warnings(output: string): string[] {
  return output.split('\n').filter((line) => {
    const level = /^\{"level":(\d+)/.exec(line)?.[1];
    return level !== undefined && Number(level) >= 40;
  });
}

/** Messages a device's hooks publish on connect and in `steps` steps (for hooks whose counts are fixed). */
function publishedIn(sim: Simulator<unknown>, device: DemoDevice, steps: number): number {
  const ctx: SimContext = {
    device: { id: device.id, location: device.location },
    scene: demoScene(0),
    random: Math.random,
  };
  const first = sim.init(ctx, 0);
  let state = first.state;
  let count = first.publish.length;
  for (let i = 1; i <= steps; i++) {
    const step = sim.step(state, i * sim.everyMs, ctx);
    state = step.state;
    count += step.publish.length;
  }
  return count;
}

/** What has not yet shown that it ran twice; empty once every timer did. */
function notYetFired(devices: DeviceView[], metrics: string): string[] {
  const missing: string[] = [];
  const byId = new Map(devices.map((d) => [d.id, d]));
  const heartbeatS = (2 * statusSimulator.everyMs) / 1000;
  for (const d of demoDevices) {
    const seen = byId.get(d.id);
    if ((seen?.uptime_s ?? 0) < heartbeatS)
      missing.push(`${d.id}: status heartbeat twice (uptime_s ${seen?.uptime_s})`);
    const sim = definitionOf[d.kind].simulate;
    // The slowest simulator (a battery env sensor, one sample a minute): what it sent beyond its heartbeats,
    // whose number its last reported uptime tells.
    if (sim && sim.everyMs === SLOWEST_MS) {
      const heartbeats = Math.round(((seen?.uptime_s ?? 0) * 1000) / statusSimulator.everyMs);
      const want = publishedIn(statusSimulator, d, heartbeats) + publishedIn(sim, d, 2);
      if ((seen?.accepted ?? 0) < want)
        missing.push(`${d.id}: ${d.kind} simulator twice (${seen?.accepted} of ${want} messages)`);
    }
  }
  for (const id of SERIAL_IDS) {
    const seen = byId.get(id);
    // The serial shelf and door report their uptime on the emulator heartbeat (every 5 s).
    if (seen?.uptime_s !== null && (seen?.uptime_s ?? 0) < 10) missing.push(`${id}: serial heartbeat twice`);
  }
  const minutes = Number(
    /storegate_footfall_events_total\{type="footfall.minute"\} (\d+)/.exec(metrics)?.[1] ?? 0,
  );
  if (minutes < 2) missing.push(`footfall minute rollup twice (${minutes})`);
  for (const lane of ['lane-1', 'lane-2']) {
    const closed = Number(
      new RegExp(`storegate_lane_sessions_closed_total\\{lane="${lane}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
    );
    if (closed < 3) missing.push(`${lane}: 3 shopper sessions closed (${closed})`);
  }
  return missing;
}

/** `npm run demo` end to end, one demo process for all of it. */
describe('npm run demo', () => {
  let demo: SpawnedDemo;
  let headers: Record<string, string>;
  const startedAt = Date.now();
  const api = async <T>(path: string): Promise<T> =>
    (await fetch(`${demo.base}${path}`, { headers })).json() as Promise<T>;
  const devicesNow = async () => (await api<{ devices: DeviceView[] }>('/api/devices')).devices;

  beforeAll(async () => {
    demo = await spawnDemo({ logLevel: 'warn' });
    // The demo prints its own admin token in the banner (a gateway has no default credentials).
    headers = { authorization: `Bearer ${await demo.banner()}` };
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('brings every simulated device online with accepted data and no rejections', async () => {
    const deadline = Date.now() + 30_000;
    let devices: DeviceView[] = [];
    let serial: DeviceView[] = [];
    while (Date.now() < deadline) {
      try {
        const all = await devicesNow();
        serial = all.filter((d) => SERIAL_IDS.includes(d.id));
        devices = all.filter((d) => !SERIAL_IDS.includes(d.id));
        const up = (list: DeviceView[]) => list.every((d) => d.online && d.accepted > 0);
        if (devices.length === demoDevices.length && serial.length === 4 && up(devices) && up(serial)) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const output = demo.output();
    expect(devices.map((d) => d.id).sort(), output).toEqual(demoDevices.map((d) => d.id).sort());
    for (const d of devices) {
      expect(d.online, `${d.id} online`).toBe(true);
      expect(d.accepted, `${d.id} accepted`).toBeGreaterThan(0);
      expect(d.rejected, `${d.id} rejected`).toEqual({});
    }
    // socat is a test peer (ensured by the global setup), so the serial emulator rig runs too.
    expect(serial.map((d) => d.id).sort(), output).toEqual(SERIAL_IDS);
    for (const d of serial) expect(d.online, `${d.id} online`).toBe(true);
    expect(output).toContain('Storegate demo is running');
    // The banner names the exact CLI line for this demo's config.
    expect(output).toMatch(/CLI\s+node \S*bin\.js --config \S*storegate\.yaml device list/);
    let plates: { stock: number | null }[] = [];
    while (Date.now() < deadline) {
      plates = (await api<{ plates: { stock: number | null }[] }>('/api/shelves')).plates;
      if (plates.length > 0 && plates.every((p) => p.stock !== null)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(plates.length).toBeGreaterThan(0);
    expect(
      plates.every((p) => p.stock !== null),
      JSON.stringify(plates),
    ).toBe(true);
  }, 60_000);

  it(
    `logs no warning while every periodic timer runs twice (${Math.round(WATCH_MS / 1000)} s), and both lanes run shopper sessions`,
    async () => {
      let missing: string[] = ['(not checked yet)'];
      let devices: DeviceView[] = [];
      let metrics = '';
      // Fail early (with the line) instead of at the end.
      while (warnings(demo.output()).length === 0 && demo.child.exitCode === null) {
        const elapsed = Date.now() - startedAt;
        if (elapsed >= WATCH_MS) {
          devices = await devicesNow();
          metrics = await (await fetch(`${demo.base}/metrics`, { headers })).text();
          missing = notYetFired(devices, metrics);
          if (missing.length === 0 || elapsed >= WATCH_MS + GRACE_MS) break;
        }
        await new Promise((r) => setTimeout(r, 1_000));
      }
      expect(warnings(demo.output()), demo.output()).toEqual([]);
      expect(demo.child.exitCode).toBeNull();
      expect(missing, 'timers that did not run twice').toEqual([]);
      // Health checks ran all along and never found a device late.
      expect(metrics).not.toMatch(/storegate_device_health_transitions_total\{to="offline"\} [1-9]/);
      for (const d of devices) expect(d.state, `${d.id} state`).toBe('online');
    },
    WATCH_MS + GRACE_MS + 120_000,
  );

  it('stops gracefully on SIGTERM', async () => {
    expect(await demo.stop(), demo.output()).toBe(0);
  }, 60_000);
});
