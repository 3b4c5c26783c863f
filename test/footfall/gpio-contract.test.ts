import { afterEach, describe, expect, it } from 'vitest';
import type { GpioValue } from '../../gateway/src/connectors/gpio/gpio-port.js';
import { fakeHarness, type GpioHarness, gpiodHarness } from './gpio-harness.js';

/** The guarantees written in gateway/src/connectors/gpio/gpio-port.ts, run against each implementation. */
for (const make of [fakeHarness, gpiodHarness]) {
  describe(`GPIO port contract: ${make().name}`, () => {
    let h: GpioHarness;
    afterEach(async () => {
      await h.port.close();
      h.dispose();
    });

    it('reports the initial level and every edge in order, as logical values with times', async () => {
      h = make();
      h.setPhysical(5, 1);
      const edges: { v: GpioValue; t: number }[] = [];
      const w = await h.port.watch(
        { chip: 'gpiochip0', line: 5 },
        { onEdge: (v, t) => edges.push({ v, t }) },
      );
      expect(w.initial).toBe(1);
      h.setPhysical(5, 0);
      h.setPhysical(5, 1);
      h.setPhysical(5, 0);
      await expect.poll(() => edges.length, { timeout: 3_000 }).toBe(3);
      expect(edges.map((e) => e.v)).toEqual([0, 1, 0]);
      expect(edges.every((e, i) => i === 0 || e.t >= edges[i - 1]!.t)).toBe(true);
      expect(await h.port.read({ chip: 'gpiochip0', line: 5 })).toBe(0);
      await w.stop();
    });

    it('applies active-low: 1 means asserted', async () => {
      h = make();
      h.setPhysical(6, 1);
      const edges: GpioValue[] = [];
      const w = await h.port.watch(
        { chip: 'gpiochip0', line: 6, activeLow: true },
        { onEdge: (v) => edges.push(v) },
      );
      expect(w.initial).toBe(0);
      h.setPhysical(6, 0);
      await expect.poll(() => edges, { timeout: 3_000 }).toEqual([1]);
      expect(await h.port.read({ chip: 'gpiochip0', line: 6, activeLow: true })).toBe(1);
      await w.stop();
    });

    it('rejects a line it cannot request with SG_IO naming the line', async () => {
      h = make();
      h.makeUnavailable(7);
      await expect(h.port.watch({ chip: 'gpiochip0', line: 7 }, { onEdge: () => {} })).rejects.toMatchObject({
        code: 'SG_IO',
        message: expect.stringContaining('gpiochip0:7'),
      });
    });

    it('delivers nothing after stop, and reports a watch that dies once via onError', async () => {
      h = make();
      const edges: GpioValue[] = [];
      const errors: Error[] = [];
      const w = await h.port.watch({ chip: 'gpiochip0', line: 8 }, { onEdge: (v) => edges.push(v) });
      await w.stop();
      h.setPhysical(8, 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(edges).toEqual([]);

      await h.port.watch(
        { chip: 'gpiochip0', line: 9 },
        { onEdge: (v) => edges.push(v), onError: (e) => errors.push(e) },
      );
      h.killWatch(9);
      await expect.poll(() => errors.length, { timeout: 3_000 }).toBe(1);
      expect(errors[0]).toMatchObject({ code: 'SG_IO' });
      h.setPhysical(9, 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(edges).toEqual([]);
      await h.port.close(); // idempotent with afterEach's close
    });
  });
}
