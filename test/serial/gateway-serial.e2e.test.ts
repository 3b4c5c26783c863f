import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';
import { freePort } from '../support/peers.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';

/** The built `storegate start` with a serial device in its config; emulator on the far end of a real PTY. */
const cli = resolve(import.meta.dirname, '../../dist/gateway/src/cli/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-gw-serial-'));
const config = join(dir, 'storegate.yaml');
const shelf = new ShelfEmulator({
  deviceId: 'shelf-e2e',
  serialNumber: 'SGS-E2E',
  hardware: 'sg-shelf-12',
  firmware: '1.0.0',
});
let pair: PtyPair;
let runner: { stop(): Promise<void> };
let gateway: ChildProcess | null = null;
let httpPort = 0;
let log = '';

async function metric(name: string): Promise<number | null> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = new RegExp(`^${name}\\{device="shelf-e2e"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}
async function metricNow(name: string): Promise<number | null> {
  try {
    return await metric(name);
  } catch {
    return null;
  }
}

beforeAll(async () => {
  pair = await createPtyPair(join(dir, 'gw'), join(dir, 'dev'));
  runner = runOnPort(shelf, pair.b);
  httpPort = await freePort();
  const brokerPort = await freePort();
  writeFileSync(
    config,
    [
      'data_dir: ./data',
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      `broker: { host: 127.0.0.1, port: ${brokerPort} }`,
      'serial:',
      '  backoff_initial_ms: 100',
      '  backoff_max_ms: 500',
      '  devices:',
      `    - { id: shelf-e2e, driver: storegate, kind: shelf, path: ${pair.a}, expect_serial: SGS-E2E }`,
      '',
    ].join('\n'),
  );
  gateway = spawn(process.execPath, [cli, '--config', config, 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gateway.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  gateway.stderr?.on('data', (d: Buffer) => (log += d.toString()));
});

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    await new Promise<void>((r) => {
      gateway!.once('exit', () => r());
      gateway!.kill('SIGTERM');
    });
  }
  await runner.stop();
  await pair.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway with a serial shelf controller (built CLI, real PTY)', () => {
  it('readings flow, unplug marks it offline, replug recovers without a restart', async () => {
    const deadline = Date.now() + 20_000;
    while (((await metricNow('storegate_serial_readings_total')) ?? 0) < 24) {
      if (Date.now() > deadline || gateway?.exitCode !== null || /^error/m.test(log)) {
        throw new Error(`no serial readings in the gateway (did it start?)\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    // Readings are counted as they arrive; the online gauge follows on the health tick.
    const onlineBy = Date.now() + 10_000;
    while ((await metric('storegate_serial_device_online')) !== 1 && Date.now() < onlineBy) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await metric('storegate_serial_device_online')).toBe(1);
    await pair.unplug();
    let wait = Date.now() + 10_000;
    while ((await metric('storegate_serial_device_online')) !== 0) {
      if (Date.now() > wait) throw new Error('never went offline');
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = (await metric('storegate_serial_readings_total')) ?? 0;
    await pair.replug();
    wait = Date.now() + 10_000;
    while (((await metric('storegate_serial_readings_total')) ?? 0) <= before + 24) {
      if (Date.now() > wait) throw new Error(`no readings after replug\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await metric('storegate_serial_device_online')).toBe(1);
    expect(gateway?.exitCode).toBeNull();
  });

  it('firmware flash refuses clearly while the gateway holds the port, works by config id once it is free', async () => {
    const image = join(dir, 'fw.bin');
    writeFileSync(image, randomBytes(8_000));
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [cli, '--config', config, ...args], { timeout: 30_000 }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const busy = await run(['firmware', 'flash', 'shelf-e2e', image, '--image-version', '1.1.0']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(
      /error \[SG_IO\] cannot open .* — if the gateway or storegate-bridge holds this port/,
    );

    await new Promise<void>((r) => {
      gateway!.once('exit', () => r());
      gateway!.kill('SIGTERM');
    });
    const ok = await run(['firmware', 'flash', 'shelf-e2e', image, '--image-version', '1.1.0']);
    expect(ok.stderr).toMatch(/shelf-e2e: shelf SGS-E2E, firmware 1\.0\.0 → 1\.1\.0/);
    expect(ok.stdout).toMatch(/flashed 8000 bytes, verified, now running 1\.1\.0/);
    const unknown = await run(['firmware', 'flash', 'nope', image, '--image-version', '1']);
    expect(unknown.stderr).toMatch(/SG_DEVICE_UNKNOWN.*no serial device "nope"/);
  });
});
