import { describe, expect, it } from 'vitest';
import { demoDevices } from '../../gateway/src/demo/demo-store.js';
import { demoScene } from '../../gateway/src/demo/simulators.js';
import type { DeviceKind } from '../../shared/src/device-contract.js';
import { type SimContext, type Simulator, seeded } from '../../shared/src/devices/simulate.js';
import { statusSimulator } from '../../shared/src/devices/status.js';
import { definitionOf } from '../../shared/src/devices/tables.js';
import { parseAs, T } from './support.js';

interface Published {
  device: string;
  kind: DeviceKind;
  at: number;
  suffix: string;
  payload: Record<string, unknown>;
}

/** Run a device's simulator hooks on virtual time, as the demo runner does on the wall clock. */
function run(minutes: number, seed: number): Published[] {
  const scene = demoScene(T);
  const out: Published[] = [];
  demoDevices.forEach((device, i) => {
    const ctx: SimContext = {
      device: {
        id: device.id,
        location: device.location,
        ...(device.variant ? { variant: device.variant } : {}),
      },
      scene,
      random: seeded(seed + i),
    };
    const play = <S>(sim: Simulator<S>) => {
      const first = sim.init(ctx, T);
      let state = first.state;
      const note = (at: number, list: typeof first.publish) =>
        out.push(...list.map((p) => ({ device: device.id, kind: device.kind, at, ...p })));
      note(T, first.publish);
      for (let now = T + sim.everyMs; now <= T + minutes * 60_000; now += sim.everyMs) {
        const step = sim.step(state, now, ctx);
        state = step.state;
        note(now, step.publish);
      }
    };
    play(statusSimulator);
    const sim = definitionOf[device.kind].simulate;
    if (sim) play(sim);
  });
  return out.sort((a, b) => a.at - b.at);
}

describe('demo simulator hooks', () => {
  const published = run(3, 7);

  it('publish only payloads the broker accepts for their kind, at the QoS their readings need', () => {
    expect(published.length).toBeGreaterThan(1000);
    for (const p of published) {
      const parsed = parseAs(p.kind, p.suffix, p.payload);
      if (!parsed.ok)
        throw new Error(`${p.device} ${p.suffix}: ${parsed.detail} in ${JSON.stringify(p.payload)}`);
    }
    const kinds = new Set(published.map((p) => p.suffix));
    expect([...kinds].sort()).toEqual([
      'beam',
      'camera/line',
      'camera/zone',
      'door',
      'env',
      'pos',
      'scale',
      'scan',
      'shelf',
      'status',
    ]);
  });

  it('are pure: the same seed gives the same publications', () => {
    expect(run(1, 11)).toEqual(run(1, 11));
  });

  it('act out whole lane sessions across the scanner, scale and POS, in time order', () => {
    // Lane 1's devices: lane 2's POS acts out its own sessions with the serial scanner and scale.
    const lane1 = new Set(demoDevices.filter((d) => d.location.lane === 'lane-1').map((d) => d.id));
    const lane = published.filter((p) => lane1.has(p.device) && ['pos', 'scan', 'scale'].includes(p.suffix));
    const pos = lane.filter((p) => p.suffix === 'pos').map((p) => p.payload.event);
    // 3 minutes: sessions at +3 s, +43 s, +83 s, +123 s, +163 s; the last one is still running.
    expect(pos.slice(0, 16)).toEqual(
      Array.from({ length: 4 }, () => [
        'basket-open',
        'payment-start',
        'payment-success',
        'basket-close',
      ]).flat(),
    );
    const times = lane.map((p) => p.payload.t as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const firstSession = lane.filter((p) => (p.payload.t as number) < T + 43_000);
    const scans = firstSession.filter((p) => p.suffix === 'scan');
    expect(scans.length).toBeGreaterThanOrEqual(2);
    // Each scanned item is put on the scale (one stable weight per scan); a dishonest shopper (about one in
    // five) also bags one item they did not scan.
    const stable = firstSession.filter((p) => p.payload.status === 'stable').length;
    expect(stable).toBeGreaterThanOrEqual(scans.length);
    expect(stable).toBeLessThanOrEqual(scans.length + 1);
  });

  it('the beam door walks each crossing through both beams (a then b is an entry); the other door counts', () => {
    const beams = published.filter((p) => p.suffix === 'beam');
    expect(beams.length).toBeGreaterThan(8);
    expect(new Set(beams.map((p) => p.device))).toEqual(new Set(['door-2']));
    for (let i = 0; i + 4 <= beams.length; i += 4) {
      const [first, second, third, fourth] = beams.slice(i, i + 4).map((p) => p.payload);
      expect([first!.blocked, second!.blocked, third!.blocked, fourth!.blocked]).toEqual([
        true,
        true,
        false,
        false,
      ]);
      expect(first!.beam).not.toBe(second!.beam);
      expect([third!.beam, fourth!.beam]).toEqual([first!.beam, second!.beam]);
    }
    expect(published.filter((p) => p.device === 'door-1').map((p) => p.suffix)).toContain('door');
  });
});
