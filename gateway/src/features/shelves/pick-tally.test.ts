import { describe, expect, it } from 'vitest';
import type { StoreEvent } from '../../core/events.js';
import { PickTally } from './pick-tally.js';

const H = 3_600_000;
const T0 = 1_790_000_000_000 - (1_790_000_000_000 % H);

function move(type: 'shelf.pick' | 'shelf.put', t: number, channel: number, qty: number): StoreEvent {
  return {
    type,
    t,
    stream: 'shelf/shelf-a1',
    dataClass: 'must_deliver',
    data: {
      device: 'shelf-a1',
      channel,
      fixture: 'a1',
      sku: `sku-${channel}`,
      qty,
      delta_grams: -qty * 100,
      confidence: 1,
    },
  } as StoreEvent;
}

describe('PickTally (the dashboard pick heatmap)', () => {
  it('counts units picked and put back per plate over the window, and ignores other events', () => {
    const tally = new PickTally(T0);
    tally.add([
      move('shelf.pick', T0 + 1000, 0, 2),
      move('shelf.pick', T0 + 2 * H, 0, 1),
      move('shelf.put', T0 + 2 * H + 5, 0, 1),
      move('shelf.pick', T0 + 3 * H, 1, 3),
      { type: 'footfall.minute', t: T0, stream: 'footfall', dataClass: 'telemetry', data: {} } as StoreEvent,
    ]);
    const all = tally.window(T0 + 4 * H, 24);
    expect(all.from).toBe(T0); // never before the gateway started
    expect(all.plates).toEqual([
      { device: 'shelf-a1', channel: 0, fixture: 'a1', sku: 'sku-0', picks: 3, puts: 1 },
      { device: 'shelf-a1', channel: 1, fixture: 'a1', sku: 'sku-1', picks: 3, puts: 0 },
    ]);
    // The last 2 hours (whole hours from T0 + 2 h): the first pick, in hour 0, falls out.
    const recent = tally.window(T0 + 4 * H, 2);
    expect(recent.plates.map((p) => [p.channel, p.picks, p.puts])).toEqual([
      [0, 1, 1],
      [1, 3, 0],
    ]);
  });

  it('keeps at most a day per plate', () => {
    const tally = new PickTally(T0);
    tally.add([move('shelf.pick', T0, 0, 5)]);
    tally.add([move('shelf.pick', T0 + 30 * H, 0, 1)]);
    expect(tally.window(T0 + 30 * H, 24).plates[0]).toMatchObject({ picks: 1 });
  });
});
