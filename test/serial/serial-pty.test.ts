import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ScannerEmulator } from '../../firmware-bridge/src/emulators/scanner.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';
import { SicsScaleEmulator } from '../../firmware-bridge/src/emulators/sics-scale.js';
import { SerialConnectorFeature } from '../../gateway/src/features/serial/feature.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';
import { serialTestContext, until } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-pty-'));
const pairs: PtyPair[] = [];
const runners: { stop(): Promise<void> }[] = [];
const shelf = new ShelfEmulator(
  { deviceId: 'shelf-1', serialNumber: 'SGS-1', hardware: 'sg-shelf-12', firmware: '1.0.0' },
  { seed: 5 },
);
const scanner = new ScannerEmulator({ aim: true });
const scale = new SicsScaleEmulator('B000111');
const { ctx, recorder } = serialTestContext(
  {
    backoff_initial_ms: 100,
    backoff_max_ms: 400,
    devices: [
      {
        id: 'shelf-1',
        driver: 'storegate',
        kind: 'shelf',
        path: join(dir, 'gw-shelf'),
        expect_serial: 'SGS-1',
      },
      { id: 'scan-1', driver: 'line-scanner', path: join(dir, 'gw-scan') },
      { id: 'scale-1', driver: 'mt-sics', path: join(dir, 'gw-scale'), poll_ms: 100 },
    ],
  },
  process.env.SG_TEST_LOG ?? 'silent',
);
const connector = new SerialConnectorFeature(ctx);

beforeAll(async () => {
  for (const name of ['shelf', 'scan', 'scale'])
    pairs.push(await createPtyPair(join(dir, `gw-${name}`), join(dir, `dev-${name}`)));
  runners.push(
    runOnPort(shelf, join(dir, 'dev-shelf')),
    runOnPort(scanner, join(dir, 'dev-scan'), { baudRate: 9600 }),
  );
  runners.push(runOnPort(scale, join(dir, 'dev-scale'), { baudRate: 9600 }));
  await connector.start();
});

afterAll(async () => {
  await connector.stop();
  for (const r of runners) await r.stop();
  for (const p of pairs) await p.close();
  ctx.registry.close();
  rmSync(dir, { recursive: true, force: true });
});

function lastMean(channel: number): number {
  const last = recorder
    .of('shelf-1', 'shelf.weight')
    .filter((r) => r.channel === channel)
    .at(-1)!;
  return last.grams.reduce((a, b) => a + b, 0) / last.grams.length;
}

describe('serial connector on real PTYs', () => {
  it('shelf controller: identified, 12 channels of 60 Hz batches arrive as shelf.weight readings', async () => {
    await until(() => recorder.of('shelf-1', 'shelf.weight').length >= 24, 'shelf readings');
    expect(ctx.deviceStats.get('shelf-1')?.connected).toBe(true);
    const batch = recorder.of('shelf-1', 'shelf.weight').slice(0, 12);
    expect(batch.map((r) => r.channel).sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    for (const r of batch) {
      expect(r.hz).toBe(60);
      expect(r.grams).toHaveLength(12);
      expect(r.source).toBe('serial');
      expect(r.deviceTime).not.toBeNull();
    }
    // the calibration in the batch maps counts back to the plate weight, within the ±2 % factory calibration
    const mean = lastMean(3);
    expect(Math.abs(mean - shelf.plateGrams(3))).toBeLessThan(shelf.plateGrams(3) * 0.021 + 10);
    const status = recorder.of('shelf-1', 'device.status')[0]!;
    expect(status.firmware).toBe('1.0.0');
  });

  it('a pick on plate 5 shows up as a weight drop of the item weight', async () => {
    const before = lastMean(5);
    shelf.interact(5, -330, 300);
    await until(() => Math.abs(lastMean(5) - (before - 330)) < 15, 'pick visible on channel 5');
  });

  it('tare, then calibrate with a known 500 g weight: the plate then reads 500 g within noise', async () => {
    await expect(connector.devices.command('shelf-1', 'tare', { channel: 7 })).resolves.toBeNull();
    const readings = () => recorder.of('shelf-1', 'shelf.weight').length;
    let n = readings();
    await until(() => readings() > n + 24, 'batches after tare');
    expect(Math.abs(lastMean(7))).toBeLessThan(10);
    shelf.interact(7, 500, 100);
    n = readings();
    await until(() => readings() > n + 36, 'batches after placing the weight');
    const result = await connector.devices.command('shelf-1', 'calibrate', {
      channel: 7,
      knownMilligrams: 500_000,
    });
    expect(result.countsPerGram).toBeGreaterThan(390);
    n = readings();
    await until(() => readings() > n + 24, 'batches after calibrate');
    expect(Math.abs(lastMean(7) - 500)).toBeLessThan(4);
    await expect(connector.devices.command('shelf-1', 'setSampleRate', { hz: 7 })).rejects.toThrow(
      /badArgument/,
    );
  });

  it('scanner: valid GTINs become scans with symbology, misreads are rejected and counted', async () => {
    scanner.scan('4006381333931');
    scanner.scan('4006381333932'); // wrong check digit
    scanner.scan('96385074');
    await until(() => recorder.of('scan-1', 'scanner.scan').length >= 2, 'scans');
    expect(recorder.of('scan-1', 'scanner.scan').map((r) => [r.code, r.symbology])).toEqual([
      ['4006381333931', 'ean-13'],
      ['96385074', 'ean-8'],
    ]);
    expect(ctx.deviceStats.get('scan-1')?.rejected.misread).toBe(1);
  });

  it('MT-SICS scale: polled weight with motion then stable status', async () => {
    await until(() => recorder.of('scale-1', 'scale.reading').length > 0, 'scale readings');
    scale.model.place(412.5, 400);
    await until(() => recorder.of('scale-1', 'scale.reading').some((r) => r.status === 'motion'), 'motion');
    await until(
      () =>
        recorder
          .of('scale-1', 'scale.reading')
          .some((r) => r.status === 'stable' && Math.abs(r.grams - 412.5) <= 0.5),
      'stable 412.5 g',
    );
  });

  it('unplug → offline; replug on the same path → the connector recovers and re-identifies on its own', async () => {
    const shelfPair = pairs[0]!;
    await shelfPair.unplug();
    await until(() => ctx.deviceStats.get('shelf-1')?.connected === false, 'offline after unplug');
    await new Promise((r) => setTimeout(r, 800)); // several failed reopen attempts while it is gone
    const sup = connector.devices.supervisors.get('shelf-1')!;
    expect(sup.state).not.toBe('online');
    const countAtReplug = recorder.of('shelf-1', 'shelf.weight').length;
    const hellosBefore = recorder.of('shelf-1', 'device.status').length;
    await shelfPair.replug();
    await until(() => ctx.deviceStats.get('shelf-1')?.connected === true, 'online after replug');
    await until(
      () => recorder.of('shelf-1', 'shelf.weight').length > countAtReplug + 24,
      'readings after replug',
    );
    expect(recorder.of('shelf-1', 'device.status').length).toBeGreaterThan(hellosBefore);
    expect(sup.reconnects).toBeGreaterThan(1);
    const metrics = await ctx.metrics.getSingleMetricAsString('storegate_serial_link_down_total');
    expect(metrics).toMatch(/device="shelf-1"} [1-9]/);
  });
});
