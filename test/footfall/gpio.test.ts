import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeGpio } from '../../gateway/src/connectors/gpio/fake-gpio.js';
import { GpioDoorConnector } from '../../gateway/src/connectors/gpio/gpio-door-connector.js';
import type { GpioPort, GpioValue } from '../../gateway/src/connectors/gpio/gpio-port.js';
import { GpiodGpio } from '../../gateway/src/connectors/gpio/gpiod-gpio.js';
import {
  gpiodArgs,
  parseGpiogetOutput,
  parseGpiomonLine,
  parseLibgpiodVersion,
} from '../../gateway/src/connectors/gpio/gpiod-output.js';
import { OnoffGpio } from '../../gateway/src/connectors/gpio/onoff-gpio.js';
import { FakeClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';
import type { Reading } from '../../shared/src/readings.js';

describe('libgpiod tool output', () => {
  it('parses gpiomon v1 lines (libgpiod 1.6, as installed here)', () => {
    const v1 = parseGpiomonLine('event:  RISING EDGE offset: 17 timestamp: [1700000000.123456789]');
    expect(v1).toMatchObject({ edge: 'rising', offset: 17 });
    expect(v1!.timestampMs).toBeCloseTo(1_700_000_000_123.457, 2);
    expect(parseGpiomonLine('event: FALLING EDGE offset: 4 timestamp: [     123.000000042]')).toMatchObject({
      edge: 'falling',
      offset: 4,
    });
    expect(
      parseGpiomonLine('event: FALLING EDGE offset: 4 timestamp: [     123.000000042]')!.timestampMs,
    ).toBeCloseTo(123_000.000042, 6);
  });

  it('parses gpiomon v2 lines (unnamed, named, chip-id forms)', () => {
    expect(parseGpiomonLine('10002.907638045\trising\tgpiochip0 17')).toEqual({
      edge: 'rising',
      offset: 17,
      timestampMs: 10_002_907.638045,
    });
    expect(parseGpiomonLine('10037.132562259\tfalling\t"GPIO23"')).toMatchObject({
      edge: 'falling',
      name: 'GPIO23',
    });
    expect(parseGpiomonLine('5.000000001\trising\tgpiochip1 2 "foo"')).toMatchObject({
      offset: 2,
      name: 'foo',
    });
  });

  it('ignores banners, errors and garbage', () => {
    for (const line of [
      '',
      'Monitoring line 17 on gpiochip0...',
      'gpiomon: error waiting for events',
      'event: SIDEWAYS EDGE',
    ]) {
      expect(parseGpiomonLine(line)).toBeNull();
    }
  });

  it('parses gpioget and --version output of both versions', () => {
    expect(parseGpiogetOutput('1\n')).toBe(1);
    expect(parseGpiogetOutput('0')).toBe(0);
    expect(parseGpiogetOutput('"17"=active\n')).toBe(1);
    expect(parseGpiogetOutput('GPIO17=inactive')).toBe(0);
    expect(() => parseGpiogetOutput('gpioget: error')).toThrow(/unexpected gpioget output/);
    expect(parseLibgpiodVersion('gpiomon (libgpiod) v1.6.3\nCopyright ...')).toBe(1);
    expect(parseLibgpiodVersion('gpiomon (libgpiod) v2.1.3')).toBe(2);
    expect(gpiodArgs(2, 'gpiochip0', 17, true).mon).toEqual([
      '--active-low',
      '--edges=both',
      '-c',
      'gpiochip0',
      '17',
    ]);
    expect(gpiodArgs(1, 'gpiochip0', 17, false).mon).toEqual(['--line-buffered', 'gpiochip0', '17']);
  });
});

/** Stand-ins for the gpiod tools (no GPIO chip here): they print what the real v1 tools print. */
function fakeTools(dir: string) {
  const script = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  return {
    gpiomon: script(
      'gpiomon',
      `[ "$1" = "--version" ] && { echo "gpiomon (libgpiod) v1.6.3"; exit 0; }
case "$*" in *" 99") echo "gpiomon: error requesting GPIO lines: Device or resource busy" >&2; exit 1;; esac
sleep 0.4
echo "event: FALLING EDGE offset: 5 timestamp: [    1000.000000000]"
echo "event:  RISING EDGE offset: 5 timestamp: [    1000.250000000]"
exec sleep 30`,
    ),
    gpioget: script('gpioget', 'echo 0'),
    gpioset: script('gpioset', 'exec sleep 30'),
  };
}

describe('GpiodGpio driving the tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gpiod-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams parsed edges with kernel spacing, fails clearly on a busy line, stops its children', async () => {
    const gpio = new GpiodGpio(Date.now, fakeTools(dir));
    const edges: { v: GpioValue; t: number }[] = [];
    const w = await gpio.watch({ chip: 'gpiochip0', line: 5 }, { onEdge: (v, t) => edges.push({ v, t }) });
    expect(w.initial).toBe(0);
    await expect.poll(() => edges.length, { timeout: 3_000 }).toBe(2);
    expect(edges.map((e) => e.v)).toEqual([0, 1]);
    expect(edges[1]!.t - edges[0]!.t).toBe(250);
    await expect(gpio.watch({ chip: 'gpiochip0', line: 99 }, { onEdge: () => {} })).rejects.toThrow(/busy/);
    await gpio.write({ chip: 'gpiochip0', line: 6 }, 1);
    await w.stop();
    await gpio.close();
  });
});

describe('GPIO door connector on the fake port', () => {
  it('turns beam lines into door.beam readings, applies active-low, retries a dead watch', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const gpio = new FakeGpio(clock);
    const readings: Reading[] = [];
    const connector = new GpioDoorConnector(
      gpio as GpioPort,
      [{ id: 'door-1', chip: 'gpiochip0', pinA: 17, pinB: 27, activeLow: true }],
      {
        ingest: { ingest: async (r) => void readings.push(r) },
        clock,
        logger: createLogger({ level: 'silent' }),
      },
    );
    gpio.setPhysical('gpiochip0', 17, 1); // beams intact: receivers pull high
    gpio.setPhysical('gpiochip0', 27, 0); // beam b already broken at start
    await connector.start();
    expect(readings.map((r) => r.type === 'door.beam' && [r.beam, r.blocked])).toEqual([['b', true]]);
    gpio.setPhysical('gpiochip0', 17, 0, clock.now() + 5);
    expect(readings.at(-1)).toMatchObject({ beam: 'a', blocked: true, deviceId: 'door-1', source: 'gpio' });

    gpio.killWatch('gpiochip0', 17);
    expect(gpio.activeWatches()).toBe(1);
    clock.advance(5_000);
    await expect.poll(() => gpio.activeWatches()).toBe(2);
    await connector.stop();
    expect(gpio.activeWatches()).toBe(0);
  });
});

describe('OnoffGpio (sysfs)', () => {
  it('fails with a hint towards the gpiod driver where sysfs GPIO is absent (as on this machine)', async () => {
    const gpio = new OnoffGpio();
    await expect(gpio.watch({ chip: 'gpiochip0', line: 17 }, { onEdge: () => {} })).rejects.toMatchObject({
      code: 'SG_IO',
      hint: expect.stringMatching(/gpio_driver: gpiod/),
    });
    await gpio.close();
  });
});
