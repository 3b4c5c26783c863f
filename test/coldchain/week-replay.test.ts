import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { ColdDayData } from '../../gateway/src/core/coldchain-events.js';
import { eventsOf, type StoreEvent } from '../../gateway/src/core/events.js';
import { replayDomains } from '../../gateway/src/replay/domains.js';
import { runReplay } from '../../gateway/src/replay/replay.js';
import { generateWeek, UNITS, WEEK_START } from './week-generator.js';

const MIN = 60_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `storegate replay` of the generated week, through the same domains and processors as the CLI. */
async function replayWeek(withDefrostInfo: boolean) {
  const week = generateWeek(14, withDefrostInfo);
  const dir = mkdtempSync(join(tmpdir(), 'sg-coldweek-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'week.ndjson'), `${week.lines.join('\n')}\n`);
  const config = parseConfig({ ...week.config, data_dir: dir });
  const events: StoreEvent[] = [];
  const rejected: string[] = [];
  async function* lines() {
    yield* week.lines;
  }
  const result = await runReplay(
    lines(),
    replayDomains(),
    { config },
    { event: (e) => events.push(e), reject: (line, reason) => rejected.push(`${line}: ${reason}`) },
  );
  return { week, events, rejected, result };
}

describe('a replayed week of a store with 40 cabinets', () => {
  it('yields exactly the expected alarms, no defrost false alarms, and day figures that match the scenario', {
    timeout: 600_000,
  }, async () => {
    const { week, events, rejected, result } = await replayWeek(true);
    expect(rejected).toEqual([]);
    expect(result.readings).toBe(week.lines.length);

    const alarms = eventsOf(events, 'coldchain.alarm');
    const cleared = alarms.filter((e) => e.data.state === 'cleared');
    const raised = alarms.filter((e) => e.data.state === 'raised');
    const key = (unit: unknown, alarm: unknown) => `${unit} ${alarm}`;
    expect(raised.map((e) => key(e.data.unit, e.data.alarm)).sort()).toEqual(
      week.expected.map((a) => key(a.unit, a.alarm)).sort(),
    );
    const open = raised.filter((r) => !cleared.some((c) => c.data.id === r.data.id)).map((e) => e.data);
    expect(open, 'every alarm ended within the week').toEqual([]);
    for (const want of week.expected) {
      const got = cleared.find(
        (e) =>
          e.data.unit === want.unit &&
          e.data.alarm === want.alarm &&
          Math.abs((e.data.started_at as number) - want.startedAt) <= want.startTolMs,
      );
      expect(got, `${want.unit} ${want.alarm}`).toBeDefined();
      expect(
        Math.abs((got!.data.raised_at as number) - want.raisedAt),
        `${want.unit} ${want.alarm} raised`,
      ).toBeLessThanOrEqual(want.startTolMs);
      expect(got!.data.raised_at).toBe((got!.data.started_at as number) + (got!.data.for_s as number) * 1000);
      expect(
        Math.abs((got!.data.ended_at as number) - want.endedAt),
        `${want.unit} ${want.alarm} ended`,
      ).toBeLessThanOrEqual(want.endTolMs);
    }
    // 40 cabinets × 28 defrosts, none of them an alarm.
    const dayRecords = events
      .filter((e) => e.type === 'coldchain.day')
      .map((e) => e.data as unknown as ColdDayData);
    const full = dayRecords.filter((d) => d.day_end - d.day_start >= 23 * 3_600_000);
    expect(full.map((d) => d.day)).toEqual([
      '2026-06-01',
      '2026-06-02',
      '2026-06-03',
      '2026-06-04',
      '2026-06-05',
      '2026-06-06',
      '2026-06-07',
    ]);
    expect(full[0]!.day_start).toBe(WEEK_START);

    full.forEach((day, d) => {
      for (const u of UNITS) {
        const fig = day.units.find((x) => x.unit === u.id)!;
        const where = `${u.id} ${day.day}`;
        expect(fig.defrosts, where).toBe(u.defrostAt.length);
        expect(fig.kwh, where).toBeCloseTo(week.kwh.get(u.id)![d]!, 2);
        expect(fig.door_openings, where).toBe(week.doorOpenings.get(u.id)![d]);
        expect(Math.abs(fig.door_open_minutes - week.doorOpenMs.get(u.id)![d]! / MIN), where).toBeLessThan(
          0.2,
        );
        expect(Math.abs(fig.minutes_high - week.minutesHigh.get(u.id)![d]!), where).toBeLessThanOrEqual(3);
        expect(fig.minutes_low, where).toBe(0);
        const cut = d === 5;
        expect(Math.abs(fig.gap_minutes - (cut ? 121 : 0)), where).toBeLessThanOrEqual(1);
        expect(Math.abs(fig.covered_minutes + fig.gap_minutes - 1440), where).toBeLessThanOrEqual(1);
      }
    });
    const c10 = full[3]!.units.find((x) => x.unit === 'c10')!;
    expect(c10.max_c).toBeGreaterThan(8.5);
    expect(c10.minutes_out_of_range).toBeGreaterThan(600);
    expect(full[2]!.units.find((x) => x.unit === 'c07')!.meter_resets).toBe(1);
    // The HACCP record: one sample per unit every 5 minutes for the whole week.
    const samples = events.filter((e) => e.type === 'coldchain.sample');
    expect(samples.length).toBeGreaterThanOrEqual(40 * 7 * 288);
    expect(samples.filter((e) => e.data.status === 'no_data').length).toBe(40 * 23); // 15:10..17:00 (the tick at 17:00 precedes the first poll)
  });

  it('without defrost bits and schedules the same week is full of false alarms (the awareness is what prevents them)', {
    timeout: 600_000,
  }, async () => {
    const { events } = await replayWeek(false);
    const high = eventsOf(events, 'coldchain.alarm').filter(
      (e) => e.data.state === 'raised' && e.data.alarm === 'high',
    );
    const chilled = high.filter((e) => String(e.data.unit).startsWith('c'));
    const ice = high.filter((e) => String(e.data.unit).startsWith('i'));
    expect(chilled.length).toBeGreaterThanOrEqual(24 * 28 - 4);
    expect(ice.length).toBeGreaterThanOrEqual(4 * 28 - 1);
  });
});
