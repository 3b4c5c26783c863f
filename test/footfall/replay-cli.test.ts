import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayCli } from '../support/process.js';

const BIN = 'dist/gateway/src/cli/bin.js';

const replay = replayCli;

describe('storegate replay with door inputs (spawned CLI on a fixture)', () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} missing: run npx tsc -p tsconfig.json first`);
  });

  it('prints entries/exits from beams and counters, and footfall.minute rollups', () => {
    const r = replay(['test/footfall/fixtures/doors.ndjson', '--strict']);
    expect(r.stderr).toMatch(/0 rejected/);
    expect(r.status).toBe(0);
    const crossings = r.lines.filter((l) => l.type === 'door.entry' || l.type === 'door.exit');
    // door-1: bounce-free entry, a turn-back (not counted), two tailgaters, one exit.
    expect(crossings.filter((l) => l.device === 'door-1').map((l) => l.type)).toEqual([
      'door.entry',
      'door.entry',
      'door.entry',
      'door.exit',
    ]);
    // door-2: +5 in / +1 out, then across the 16-bit wrap +3 in / +2 out.
    expect(crossings.filter((l) => l.device === 'door-2').map((l) => [l.type, l.count])).toEqual([
      ['door.entry', 5],
      ['door.exit', 1],
      ['door.entry', 3],
      ['door.exit', 2],
    ]);
    expect(r.lines.find((l) => l.type === 'door.counter_reset')).toMatchObject({
      kind: 'rollover',
      device: 'door-2',
    });
    const minutes = r.lines.filter((l) => l.type === 'footfall.minute');
    expect(minutes.map((m) => [m.t, m.in, m.out, m.occupancy])).toEqual([
      [1_795_161_600_000, 8, 1, 7],
      [1_795_161_660_000, 3, 3, 7],
    ]);
    // The minute of the last input closes with it; none after it is invented.
  });

  it('rejects malformed door lines with a reason and keeps going', () => {
    const input = [
      '{"t": 1795161600000, "device": "door-9", "beam": "c", "blocked": true}',
      '{"t": 1795161600001, "device": "door-9", "in": -1, "out": 0}',
      '{"t": 1795161600002, "device": "door-9", "in": 4, "out": 0, "colour": "red"}',
      '{"t": 1795161600003, "device": "door-9", "in": 4, "out": 0}',
    ].join('\n');
    const r = replay(['--strict'], input);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/line 1: rejected: "beam" must be "a" or "b"/);
    expect(r.stderr).toMatch(/line 2: rejected: "in" must be a non-negative integer/);
    expect(r.stderr).toMatch(/line 3: rejected: unknown key "colour"/);
    expect(r.stderr).toMatch(/4 lines, 1 readings, \d+ events, 3 rejected/);
    expect(r.lines.some((l) => l.type === 'footfall.minute')).toBe(true);
  });
});
