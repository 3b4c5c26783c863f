import { describe, expect, it } from 'vitest';
import { DeviceTimeBase } from '../../firmware-bridge/src/drivers/device-time.js';
import type { DriverReading } from '../../firmware-bridge/src/drivers/driver.js';
import { gtinCheckDigit, validateGtin } from '../../firmware-bridge/src/drivers/gtin.js';
import { ScannerDriver, type ScannerOptions } from '../../firmware-bridge/src/drivers/scanner-driver.js';
import { parseSicsWeight } from '../../firmware-bridge/src/drivers/sics-scale-driver.js';
import { StoregateDriver } from '../../firmware-bridge/src/drivers/storegate-driver.js';
import { DoorEmulator } from '../../firmware-bridge/src/emulators/door.js';
import { createLinkPair } from '../../firmware-bridge/src/emulators/link.js';
import { ScaleEmulator } from '../../firmware-bridge/src/emulators/scale.js';
import type { SerialLink } from '../../firmware-bridge/src/transport/port.js';
import { FakeClock, systemClock } from '../../shared/src/clock.js';
import { WaitCancelledError, Waitress, WaitTimeoutError } from '../../shared/src/waitress.js';

describe('GTIN check digits (GS1 mod 10)', () => {
  it.each([
    ['96385074', 'EAN-8'],
    ['036000291452', 'UPC-A'],
    ['4006381333931', 'EAN-13'],
    ['10614141000415', 'GTIN-14'],
  ])('accepts %s as %s', (code, kind) => {
    expect(validateGtin(code)).toMatchObject({ ok: true, kind, gtin14: code.padStart(14, '0') });
  });
  it('rejects misreads with the reason', () => {
    expect(validateGtin('4006381333932')).toEqual({
      ok: false,
      reason: 'EAN-13 check digit is 2, expected 1 (misread)',
    });
    expect(validateGtin('12345')).toMatchObject({ ok: false, reason: expect.stringMatching(/length 5/) });
    expect(validateGtin('40063813339A1')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not all digits/),
    });
    expect(gtinCheckDigit('400638133393')).toBe(1);
  });
});

function scannerWith(opts: ScannerOptions) {
  const [host, dev] = createLinkPair();
  const driver = new ScannerDriver(systemClock(), opts);
  const scans: DriverReading[] = [];
  const rejects: string[] = [];
  driver.on('reading', (r) => scans.push(r));
  driver.on('reject', (reason) => rejects.push(reason));
  void driver.start(host as unknown as SerialLink);
  return { dev, scans, rejects, tick: () => new Promise((r) => setImmediate(r)) };
}

describe('line scanner driver', () => {
  it('CR, LF and CR LF terminators, split across chunks, prefix/suffix stripped, AIM decoded', async () => {
    const s = scannerWith({ prefix: 'STX', suffix: '#' });
    s.dev.write('STX]E04006381333931#\r');
    s.dev.write('\nSTX]C0ABC-12');
    s.dev.write('3#\nSTX96385074#\r\n');
    await s.tick();
    expect(s.scans.map((r) => r.body)).toEqual([
      { type: 'scanner.scan', code: '4006381333931', symbology: 'ean-13' },
      { type: 'scanner.scan', code: 'ABC-123', symbology: 'code-128' },
      { type: 'scanner.scan', code: '96385074' },
    ]);
  });
  it('rejects: missing prefix, misread GTIN, overlong line, unprintable; validate always/never', async () => {
    const s = scannerWith({ prefix: 'P' });
    s.dev.write(`X123\rP4006381333930\rP${'9'.repeat(200)}\rP\x01\x02\r`);
    await s.tick();
    expect(s.rejects).toEqual(['framing', 'misread', 'overlong', 'unprintable']);
    const always = scannerWith({ validateGtin: 'always' });
    always.dev.write(']C0HELLO\r');
    const never = scannerWith({ validateGtin: 'never' });
    never.dev.write('4006381333930\r');
    await always.tick();
    expect(always.rejects).toEqual(['misread']);
    expect(never.scans).toHaveLength(1);
  });
});

describe('MT-SICS weight lines', () => {
  it.each([
    ['S S      100.00 g', { grams: 100, stable: true }],
    ['S D       12.5 g', { grams: 12.5, stable: false }],
    ['S S     1.2345 kg', { grams: 1234.5, stable: true }],
    ['S S      -0.50 g', { grams: -0.5, stable: true }],
    ['S +', 'over'],
    ['S -', 'under'],
    ['S I', 'busy'],
    ['ES', null],
    ['S S abc g', null],
  ])('%s', (line, expected) => {
    expect(parseSicsWeight(line)).toEqual(expected);
  });
});

describe('Waitress', () => {
  it('resolves the matching waiter, times out on the clock, cancels all on close', async () => {
    const clock = new FakeClock();
    const w = new Waitress<number, number>(
      clock,
      (p, m) => p === m,
      (m, ms) => `no ${m} in ${ms}`,
    );
    const a = w.waitFor(1, 100);
    const b = w.waitFor(2, 100);
    const c = w.waitFor(3, 500);
    expect(w.resolve(1)).toBe(true);
    expect(w.resolve(9)).toBe(false);
    await expect(a).resolves.toBe(1);
    clock.advance(100);
    await expect(b).rejects.toBeInstanceOf(WaitTimeoutError);
    w.cancelAll('port closed');
    await expect(c).rejects.toBeInstanceOf(WaitCancelledError);
    expect(w.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('DeviceTimeBase', () => {
  it('keeps the lowest-latency offset, is monotonic, resets on reboot', () => {
    const t = new DeviceTimeBase();
    expect(t.toEpoch(1_000, 10_050)).toBe(10_050); // 50 ms transport delay unknown yet
    expect(t.toEpoch(1_200, 10_210)).toBe(10_210); // faster delivery: offset improves to 9_010
    expect(t.toEpoch(1_400, 10_600)).toBe(10_410); // a late delivery does not shift time
    expect(t.toEpoch(100, 20_000)).toBe(20_000); // uptime went back: rebooted
  });
});

describe('Storegate driver with in-process emulators', () => {
  it('door beams and counts, scale readings with status, command errors surface as codes', async () => {
    const [host, dev] = createLinkPair();
    const door = new DoorEmulator(
      { deviceId: 'd', serialNumber: 'D1', hardware: 'h', firmware: '2.1.0' },
      { countEveryMs: 200 },
    );
    door.attach(dev);
    const driver = new StoregateDriver(systemClock(), { expectKind: 'door' });
    const got: DriverReading[] = [];
    driver.on('reading', (r) => got.push(r));
    expect(await driver.start(host as unknown as SerialLink)).toMatchObject({
      kind: 'door',
      firmware: '2.1.0',
    });
    door.pass('out');
    await new Promise((r) => setTimeout(r, 500));
    expect(got.filter((r) => r.body.type === 'door.beam').map((r) => r.body)).toEqual([
      { type: 'door.beam', beam: 'b', blocked: true },
      { type: 'door.beam', beam: 'a', blocked: true },
      { type: 'door.beam', beam: 'b', blocked: false },
      { type: 'door.beam', beam: 'a', blocked: false },
    ]);
    expect(got.filter((r) => r.body.type === 'door.count').at(-1)?.body).toEqual({
      type: 'door.count',
      in: 0,
      out: 1,
    });
    await expect(driver.command('calibrate', { channel: 0, knownMilligrams: 1000 })).rejects.toThrow(
      /unsupported \(6\)/,
    );
    door.detach();
    driver.stop();

    const [h2, d2] = createLinkPair();
    const scale = new ScaleEmulator(
      { deviceId: 's', serialNumber: 'S1', hardware: 'h', firmware: '1' },
      { everyMs: 50 },
    );
    scale.attach(d2);
    const sd = new StoregateDriver(systemClock());
    const readings: DriverReading[] = [];
    sd.on('reading', (r) => readings.push(r));
    await sd.start(h2 as unknown as SerialLink);
    scale.model.place(250, 150);
    await new Promise((r) => setTimeout(r, 400));
    const statuses = readings.flatMap((r) => (r.body.type === 'scale.reading' ? [r.body.status] : []));
    expect(statuses).toContain('motion');
    expect(readings.at(-1)?.body).toMatchObject({ type: 'scale.reading', status: 'stable' });
    scale.model.place(20_000, 0);
    await new Promise((r) => setTimeout(r, 120));
    expect(readings.at(-1)?.body).toMatchObject({ status: 'over' });
    scale.detach();
    sd.stop();
  });
});
