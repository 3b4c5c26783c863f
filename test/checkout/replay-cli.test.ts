import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCli } from '../support/process.js';

const BIN = 'dist/gateway/src/cli/bin.js';
const FIXTURES = 'test/checkout/fixtures';

const replay = replayCli;

describe('storegate replay with lane inputs (spawned CLI on a fixture)', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} missing: run npx tsc -p tsconfig.json first`);
    dir = mkdtempSync(join(tmpdir(), 'sg-replay-lane-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints verified items, the swapped barcode alert, the attendant clear and the closed sessions', () => {
    const r = replay([
      `${FIXTURES}/lane-session.ndjson`,
      '--catalog',
      `${FIXTURES}/catalog.json`,
      '--strict',
    ]);
    expect(r.stderr).toMatch(/0 rejected/);
    expect(r.status).toBe(0);
    expect(r.lines.map((l) => [l.type, l.lane])).toEqual([
      ['lane.item.verified', 'lane-1'],
      ['lane.item.verified', 'lane-1'],
      ['lane.alert', 'lane-2'],
      ['lane.session.closed', 'lane-1'],
      ['lane.alert.cleared', 'lane-2'],
      ['lane.session.closed', 'lane-2'],
    ]);
    expect(r.lines[0]).toMatchObject({
      t: 1700000002500,
      gtin: '5012345678900',
      sku: 'cola-330',
      measured_grams: 353,
    });
    expect(r.lines[2]).toMatchObject({ reason: 'weight_mismatch', gtin: '5012345678900', delta_grams: 1251 });
    expect(r.lines[3]).toMatchObject({ items: 2, verified: 2, alerts: 0, paid: true });
    expect(r.lines[4]).toMatchObject({ action: 'clear', note: 'rescanned as wine', attendant: 'staff-3' });
  });

  it('is deterministic: the same input gives byte-identical output', () => {
    const a = replay([`${FIXTURES}/lane-session.ndjson`, '--catalog', `${FIXTURES}/catalog.json`]);
    const b = replay([`${FIXTURES}/lane-session.ndjson`, '--catalog', `${FIXTURES}/catalog.json`]);
    expect(JSON.stringify(a.lines)).toBe(JSON.stringify(b.lines));
  });

  it('rejects malformed lane lines with their reason, and a malformed catalog with a clear error', () => {
    const input = [
      '{"t": 1700000000000, "lane": "lane-1", "scan": "5012345678900", "grams": 3}',
      '{"t": 1700000000001, "lane": "lane-1", "pos": "checkout"}',
      '{"t": 1700000000002, "lane": "lane-1", "grams": 12}',
      '{"t": 1700000000003, "lane": "lane-1", "attendant": "clear"}',
      '{"t": 1700000000004, "lane": "lane-1", "scan": "5012345678900"}',
    ].join('\n');
    const r = replay(['--catalog', `${FIXTURES}/catalog.json`, '--strict'], input);
    expect(r.stderr).toMatch(/line 1: rejected: a lane line has exactly one of/);
    expect(r.stderr).toMatch(/line 2: rejected: "pos" must be one of/);
    expect(r.stderr).toMatch(/line 3: rejected: a scale line needs "stable"/);
    expect(r.stderr).toMatch(/attendant clear ignored: no open alert/);
    expect(r.status).toBe(1);

    const bad = join(dir, 'bad-catalog.json');
    writeFileSync(bad, JSON.stringify({ items: [{ gtin: '123', sku: 'x', grams: 1 }] }));
    const b = replay(['--catalog', bad], input);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/SG_PAYLOAD_REJECTED.*\n.*items\[0\]\.gtin: a GTIN has 8, 12, 13 or 14 digits/);

    const none = replay([], input);
    expect(none.stderr).toMatch(/lane inputs need --catalog FILE/);
  });
});
