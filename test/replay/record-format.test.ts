import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayDomains } from '../../gateway/src/replay/domains.js';
import { RECORDABLE_READINGS, recordLineOf } from '../../gateway/src/replay/record-line.js';
import { defaultReplayConfig } from '../../gateway/src/replay/replay-config.js';
import { RotatingLineFile } from '../../gateway/src/sinks/recording/rotating-file.js';
import { FakeClock } from '../../shared/src/clock.js';
import { assignReadingBody } from '../../shared/src/devices/codec.js';
import { topicOfReading } from '../../shared/src/devices/tables.js';
import type { Reading } from '../../shared/src/readings.js';

const T = 1_767_225_600_000;
const dir = mkdtempSync(join(tmpdir(), 'sg-record-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bodyOf = (r: Reading) => {
  const { deviceId: _d, deviceTime: _t, receivedAt: _r, quality: _q, source: _s, ...body } = r;
  return body;
};

describe('recorded lines read back into the same readings', () => {
  it('every recordable reading: live reading → record line → replay parse → the same body and time', () => {
    const fresh = replayDomains();
    // Without a planogram the shelf domain builds nothing: shelf lines are read back in record-live.test.ts.
    const setup = { config: defaultReplayConfig(), catalog: 'test/checkout/fixtures/catalog.json' };
    for (const d of fresh) d.processors(setup, new FakeClock(0));
    const lanes = new Map([
      ['scan-1', 'lane-1'],
      ['scale-1', 'lane-1'],
      ['pos-1', 'lane-1'],
    ]);
    for (const type of RECORDABLE_READINGS) {
      const target = topicOfReading.get(type)!;
      const reading: Record<string, unknown> = {
        deviceId: type.startsWith('scanner')
          ? 'scan-1'
          : type.startsWith('scale')
            ? 'scale-1'
            : type.startsWith('pos')
              ? 'pos-1'
              : 'dev-1',
        deviceTime: T + 5,
        receivedAt: T + 40,
        quality: 'good',
        source: 'mqtt',
      };
      assignReadingBody(target.topic, target.topic.payload.parse(target.topic.example), reading);
      const line = recordLineOf(reading as unknown as Reading, { laneOf: (d) => lanes.get(d), shelfHz: 60 });
      expect(line, type).not.toBeNull();
      expect(line!.t, type).toBe(T + 5);
      expect(line!.received_at, type).toBe(T + 40);
      if (type === 'shelf.weight') continue;
      const back = JSON.parse(JSON.stringify(line)) as Record<string, unknown>;
      const owner = fresh.find((d) => d.parse(back) !== null);
      const readings = owner?.parse(back) ?? [];
      expect(readings, type).toHaveLength(1);
      const { symbology: _sym, ...expected } = bodyOf(reading as unknown as Reading) as Record<
        string,
        unknown
      >;
      expect(bodyOf(readings[0]!), type).toMatchObject(expected);
      expect([readings[0]!.deviceTime, readings[0]!.receivedAt], type).toEqual([T + 5, T + 40]);
    }
  });

  it('a lane device in no lane and kinds replay does not read give no line', () => {
    const scan = {
      deviceId: 'scan-9',
      deviceTime: null,
      receivedAt: T,
      quality: 'good',
      source: 'mqtt',
      type: 'scanner.scan',
      code: '5012345678900',
    } as Reading;
    expect(recordLineOf(scan, { laneOf: () => undefined, shelfHz: 60 })).toBeNull();
    const cold = {
      deviceId: 'f-1',
      deviceTime: null,
      receivedAt: T,
      quality: 'good',
      source: 'mqtt',
      type: 'device.status',
    } as unknown as Reading;
    expect(recordLineOf(cold, { laneOf: () => undefined, shelfHz: 60 })).toBeNull();
  });
});

describe('RotatingLineFile: bounded on disk, whole lines, oldest part dropped', () => {
  it('keeps at most `files` parts of at most partBytes, the newest lines in the current part', () => {
    const path = join(dir, 'rec', 'inputs.ndjson');
    const file = new RotatingLineFile({ path, partBytes: 1000, files: 3 });
    for (let i = 0; i < 500; i++) {
      file.write(JSON.stringify({ t: i, device: 'd', grams: 1 }));
      if (i % 37 === 0) file.flush();
    }
    file.close();
    const parts = readdirSync(join(dir, 'rec')).sort();
    expect(parts).toEqual(['inputs.1.ndjson', 'inputs.2.ndjson', 'inputs.ndjson']);
    let lines: number[] = [];
    for (const p of ['inputs.2.ndjson', 'inputs.1.ndjson', 'inputs.ndjson']) {
      const full = join(dir, 'rec', p);
      expect(statSync(full).size).toBeLessThanOrEqual(1000);
      const text = readFileSync(full, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      lines = lines.concat(
        text
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { t: number }).t),
      );
    }
    // The three parts hold the newest lines, consecutive, ending with the last one written.
    expect(lines.at(-1)).toBe(499);
    expect(lines).toEqual(lines.map((_, i) => lines[0]! + i));
    expect(file.stats.written).toBe(500);
    expect(file.stats.rotations).toBeGreaterThan(2);
  });

  it('a write that fails keeps the lines for the next flush', () => {
    const file = new RotatingLineFile({
      path: join(dir, 'missing-dir-is-a-file'),
      partBytes: 1000,
      files: 2,
    });
    // A directory where the file should be: open fails with EISDIR.
    const blocked = new RotatingLineFile({ path: dir, partBytes: 1000, files: 2 });
    blocked.write('{"t":1}');
    expect(() => blocked.flush()).toThrow();
    expect(blocked.stats.written).toBe(0);
    expect(blocked.discardPending()).toBe(1);
    expect(blocked.stats.dropped).toBe(1);
    file.write('{"t":1}');
    file.close();
    expect(readFileSync(join(dir, 'missing-dir-is-a-file'), 'utf8')).toBe('{"t":1}\n');
  });
});
