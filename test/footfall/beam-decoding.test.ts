import { describe, expect, it } from 'vitest';
import { eventsOf, type StoreEvent } from '../../gateway/src/core/events.js';
import { FootfallProcessor } from '../../gateway/src/processors/footfall/footfall-processor.js';
import type { Reading } from '../../shared/src/readings.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

function processor(overrides: Partial<ConstructorParameters<typeof FootfallProcessor>[0]> = {}) {
  return new FootfallProcessor({
    store: 's1',
    timeZone: 'UTC',
    storeEmptyTime: '03:00',
    driftCorrection: 'exits',
    debounceMs: 30,
    blockedAlarmMs: 10_000,
    transactionEvents: ['transaction'],
    ...overrides,
  });
}

function beam(t: number, b: 'a' | 'b', blocked: boolean, deviceId = 'door-1'): Reading {
  return {
    type: 'door.beam',
    beam: b,
    blocked,
    deviceId,
    deviceTime: t,
    receivedAt: t,
    quality: 'good',
    source: 'gpio',
  };
}

/** Feed "A+ B+ A- B-" style steps, 200 ms apart starting at `start`, then tick past the debounce window. */
function run(p: FootfallProcessor, steps: string, start = T0, gap = 200): StoreEvent[] {
  const out: StoreEvent[] = [];
  let t = start;
  for (const step of steps.split(/\s+/).filter(Boolean)) {
    const m = /^([AB])([+-])(?:@(\d+))?$/.exec(step);
    if (!m) throw new Error(`bad step ${step}`);
    t = m[3] ? start + Number(m[3]) : t + gap;
    out.push(...p.process(beam(t, m[1]!.toLowerCase() as 'a' | 'b', m[2] === '+')));
  }
  out.push(...p.tick(t + 1_000));
  return out;
}

const kinds = (events: StoreEvent[]) => events.filter((e) => e.type.startsWith('door.')).map((e) => e.type);

describe('dual-beam decoding', () => {
  it('counts a clean walk-through in (a first) and out (b first)', () => {
    const p = processor();
    expect(kinds(run(p, 'A+ B+ A- B-'))).toEqual(['door.entry']);
    expect(kinds(run(p, 'B+ A+ B- A-', T0 + 5_000))).toEqual(['door.exit']);
    const entry = run(processor(), 'A+ B+ A- B-').find((e) => e.type === 'door.entry')!;
    expect(entry.data).toMatchObject({
      device: 'door-1',
      door: 'door-1',
      count: 1,
      source: 'beam',
      occupancy: 1,
    });
  });

  it('does not guess a direction when the beams never overlap (beams must be closer than a body width)', () => {
    expect(kinds(run(processor(), 'A+ A- B+ B-'))).toEqual([]);
    // Without overlap direction is ambiguous by design: documented as a mounting requirement (beams < body width).
  });

  it('ignores bounces shorter than the debounce window on break and on release', () => {
    const p = processor();
    const steps = 'A+@0 A-@5 A+@12 B+@200 B-@210 B+@215 A-@400 A+@405 A-@410 B-@600 B+@603 B-@607';
    expect(kinds(run(p, steps))).toEqual(['door.entry']);
  });

  it('does not count a person turning back halfway', () => {
    expect(kinds(run(processor(), 'A+ A-'))).toEqual([]);
    expect(kinds(run(processor(), 'A+ B+ B- A-'))).toEqual([]);
    expect(kinds(run(processor(), 'B+ A+ A- B-'))).toEqual([]);
  });

  it('counts two people close together (tailgating) as two', () => {
    // Second person breaks A while the first is still on B; the beams are never both clear in between.
    expect(kinds(run(processor(), 'A+ B+ A- A+ B- B+ A- B-'))).toEqual(['door.entry', 'door.entry']);
    expect(kinds(run(processor(), 'B+ A+ B- B+ A- A+ B- A-'))).toEqual(['door.exit', 'door.exit']);
  });

  it('raises door.blocked after the configured time, counts nothing meanwhile, and clears', () => {
    const p = processor({ blockedAlarmMs: 5_000 });
    const out = run(p, 'A+@0 B+@100 B-@300 B+@2000 B-@2200', T0);
    expect(kinds(out)).toEqual([]);
    const later = p.tick(T0 + 6_000);
    const blocked = later.find((e) => e.type === 'door.blocked')!;
    expect(blocked).toMatchObject({ dataClass: 'must_deliver', t: T0 + 5_000 });
    expect(blocked.data).toMatchObject({ device: 'door-1', beam: 'a', since: T0 });
    // Someone crosses on beam b alone while a is held: no direction, no count.
    const meanwhile = run(p, 'B+@7000 B-@7300 A-@9000');
    expect(kinds(meanwhile)).toEqual(['door.unblocked']);
    expect(meanwhile.find((e) => e.type === 'door.unblocked')!.data).toMatchObject({ blocked_ms: 9_000 });
    expect(kinds(run(p, 'A+@10000 B+@10200 A-@10400 B-@10600'))).toEqual(['door.entry']);
  });

  it('keeps doors apart', () => {
    const p = processor();
    const out = [
      ...p.process(beam(T0, 'a', true, 'd1')),
      ...p.process(beam(T0 + 10, 'b', true, 'd2')),
      ...p.process(beam(T0 + 200, 'b', true, 'd1')),
      ...p.process(beam(T0 + 210, 'a', true, 'd2')),
      ...p.process(beam(T0 + 400, 'a', false, 'd1')),
      ...p.process(beam(T0 + 410, 'b', false, 'd2')),
      ...p.process(beam(T0 + 600, 'b', false, 'd1')),
      ...p.process(beam(T0 + 610, 'a', false, 'd2')),
      ...p.tick(T0 + 2_000),
    ];
    expect(
      eventsOf(out, 'door.entry', 'door.exit', 'door.blocked', 'door.unblocked', 'door.counter_reset').map(
        (e) => `${e.type}:${e.data.door}`,
      ),
    ).toEqual(['door.entry:d1', 'door.exit:d2']);
  });
});
