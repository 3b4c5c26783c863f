import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';
import { type FlashProgress, flashFirmware } from '../../firmware-bridge/src/firmware/flasher.js';
import { Session } from '../../firmware-bridge/src/session.js';
import { serialPortOpener } from '../../firmware-bridge/src/transport/port.js';
import { systemClock } from '../../shared/src/clock.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';
import { until } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-flash-'));
const image = randomBytes(48 * 1024 + 123);
const shelf = new ShelfEmulator(
  { deviceId: 'shelf-9', serialNumber: 'SGS-9', hardware: 'sg-shelf-12', firmware: '1.0.0' },
  { channels: 4 },
);
let pair: PtyPair;
let runner: { stop(): Promise<void> };

async function openSession() {
  const link = await serialPortOpener.open(pair.a, 115_200);
  const session = new Session(link, systemClock(), 1_000);
  await session.identify(3_000);
  return {
    link,
    session,
    close: () => new Promise<void>((r) => (link.isOpen ? link.close(() => r()) : r())),
  };
}

beforeAll(async () => {
  pair = await createPtyPair(join(dir, 'host'), join(dir, 'dev'));
  runner = runOnPort(shelf, pair.b);
});
afterAll(async () => {
  await runner.stop();
  await pair.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('firmware update over a real PTY', () => {
  it('a transfer cut halfway by an unplug resumes where it stopped and completes, verified, new version booted', async () => {
    const first = await openSession();
    let unplugged: Promise<void> | null = null;
    const onProgress = (p: FlashProgress) => {
      if (!unplugged && p.acked >= image.length / 2) unplugged = pair.unplug();
    };
    await expect(
      flashFirmware(first.session, image, { version: '2.0.0', chunkSize: 512, onProgress }),
    ).rejects.toThrow(/transfer stopped|closed/);
    await unplugged;
    await first.close();
    const staged = shelf.bootloader.stagedBytes;
    expect(staged).toBeGreaterThanOrEqual(image.length / 2);
    expect(staged).toBeLessThan(image.length);

    await pair.replug();
    await until(() => (shelf as unknown as { session: unknown }).session !== null, 'emulator reattached');
    const second = await openSession();
    const seen: FlashProgress[] = [];
    const result = await flashFirmware(second.session, image, {
      version: '2.0.0',
      chunkSize: 512,
      onProgress: (p) => seen.push(p),
    });
    expect(result.resumedFrom).toBe(staged);
    expect(result.firmware).toBe('2.0.0');
    expect(seen.map((p) => p.phase)).toContain('verify');
    expect(shelf.identity.firmware).toBe('2.0.0');
    await second.close();
  });

  it('storegate firmware flash (built CLI) flashes through --port and prints the result', async () => {
    const imagePath = join(dir, 'fw-3.bin');
    writeFileSync(imagePath, randomBytes(20_000));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        'dist/gateway/src/cli/bin.js',
        'firmware',
        'flash',
        'shelf-9',
        imagePath,
        '--port',
        pair.a,
        '--image-version',
        '3.0.0',
      ],
      { cwd: process.cwd(), timeout: 30_000 },
    );
    expect(stderr).toMatch(/firmware 2\.0\.0 → 3\.0\.0/);
    expect(stdout).toMatch(/shelf-9: flashed 20000 bytes, verified, now running 3\.0\.0/);
  });

  it('a corrupted image is caught by verify (device CRC-32 differs) and the device keeps its version', async () => {
    const s = await openSession();
    // send a different image under a CRC claimed for another: device verification must refuse it
    const good = randomBytes(4096);
    const evil = Buffer.from(good);
    evil[100] = evil[100]! ^ 0xff;
    const begin = await s.session.request('fwBegin', {
      size: good.length,
      crc32: (await import('node:zlib')).crc32(good),
      chunkSize: 512,
      version: '9.9.9',
    });
    expect(begin.nextOffset).toBe(0);
    for (let o = 0; o < evil.length; o += 512)
      await s.session.request('fwChunk', { offset: o, data: evil.subarray(o, o + 512) });
    await expect(s.session.request('fwVerify', {})).rejects.toThrow(/crcMismatch/);
    await expect(s.session.request('fwApply', {})).rejects.toThrow(/badState/);
    expect(shelf.identity.firmware).toBe('3.0.0');
    await s.close();
  });
});
