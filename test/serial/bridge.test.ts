import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DoorEmulator } from '../../firmware-bridge/src/emulators/door.js';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ScannerEmulator } from '../../firmware-bridge/src/emulators/scanner.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';
import { startTestBroker, type TestBroker } from '../broker/support.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';
import { RecordingProcessor, until } from './support.js';

/** emulator → PTY → storegate-bridge (built CLI, separate process) → embedded aedes broker → gateway pipeline */
const dir = mkdtempSync(join(tmpdir(), 'sg-bridge-'));
const recorder = new RecordingProcessor();
const pairs: PtyPair[] = [];
const runners: { stop(): Promise<void> }[] = [];
const shelf = new ShelfEmulator(
  { deviceId: 'shelf-b1', serialNumber: 'SGS-B1', hardware: 'sg-shelf-12', firmware: '1.2.0' },
  { channels: 12 },
);
const door = new DoorEmulator({
  deviceId: 'door-b1',
  serialNumber: 'SGD-B1',
  hardware: 'sg-door',
  firmware: '0.9.1',
});
const scanner = new ScannerEmulator({ aim: true });
let tb: TestBroker;
let bridge: ChildProcess;
let bridgeLog = '';
/** Generous: these wait on a condition, and only a hung bridge should ever reach them. */
const BRIDGE_DEADLINE_MS = 60_000;
const bridgeState = (what: string) => () => `${what}; bridge log:\n${bridgeLog}`;

beforeAll(async () => {
  tb = await startTestBroker();
  tb.ctx.pipeline.add(recorder);
  const secrets = {
    'shelf-b1': tb.addDevice('shelf-b1', 'shelf'),
    'door-b1': tb.addDevice('door-b1', 'door'),
    'scan-b1': tb.addDevice('scan-b1', 'scanner'),
  };
  for (const n of ['shelf', 'door', 'scan'])
    pairs.push(await createPtyPair(join(dir, `host-${n}`), join(dir, `dev-${n}`)));
  runners.push(runOnPort(shelf, join(dir, 'dev-shelf')), runOnPort(door, join(dir, 'dev-door')));
  runners.push(runOnPort(scanner, join(dir, 'dev-scan'), { baudRate: 9600 }));
  const config = {
    mqtt: { url: tb.url },
    secrets: { 'shelf-b1': secrets['shelf-b1'], 'door-b1': secrets['door-b1'] },
    serial: {
      backoff_initial_ms: 100,
      devices: [
        { id: 'shelf-b1', driver: 'storegate', kind: 'shelf', path: join(dir, 'host-shelf') },
        { id: 'door-b1', driver: 'storegate', kind: 'door', path: join(dir, 'host-door') },
        { id: 'scan-b1', driver: 'line-scanner', path: join(dir, 'host-scan') },
      ],
    },
    log: { level: 'info' },
  };
  writeFileSync(join(dir, 'bridge.yaml'), stringify(config));
  bridge = spawn(
    process.execPath,
    ['dist/firmware-bridge/src/bridge/cli.js', '--config', join(dir, 'bridge.yaml')],
    {
      env: { ...process.env, STOREGATE_BRIDGE_SECRET_SCAN_B1: secrets['scan-b1'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  bridge.stdout?.on('data', (d: Buffer) => (bridgeLog += d.toString()));
  bridge.stderr?.on('data', (d: Buffer) => (bridgeLog += d.toString()));
});

afterAll(async () => {
  if (bridge && bridge.exitCode === null) {
    await new Promise<void>((r) => {
      bridge.once('exit', () => r());
      bridge.kill('SIGTERM');
    });
  }
  for (const r of runners) await r.stop();
  for (const p of pairs) await p.close();
  await tb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('standalone storegate-bridge', () => {
  it('forwards shelf batches, door beams and scans to the gateway as the device contract', {
    timeout: 5 * BRIDGE_DEADLINE_MS,
  }, async () => {
    // The bridge is a separate node process: on a loaded machine its start alone can take many seconds.
    await until(
      () => recorder.of('shelf-b1', 'shelf.weight').length >= 24,
      () =>
        `24 shelf readings via bridge (have ${recorder.of('shelf-b1', 'shelf.weight').length}); bridge log:\n${bridgeLog}`,
      BRIDGE_DEADLINE_MS,
    );
    const r = recorder.of('shelf-b1', 'shelf.weight')[0]!;
    expect(r.source).toBe('mqtt');
    expect(r.grams).toHaveLength(12);
    expect(r.hz).toBe(60);
    expect(r.deviceTime).toBeGreaterThan(Date.now() - 60_000);

    await until(
      () => recorder.of('door-b1', 'device.status').length > 0,
      bridgeState('door status'),
      BRIDGE_DEADLINE_MS,
    );
    door.pass('in');
    await until(
      () => recorder.of('door-b1', 'door.beam').length >= 4,
      bridgeState('four beam transitions'),
      BRIDGE_DEADLINE_MS,
    );
    expect(recorder.of('door-b1', 'door.beam').map((b) => `${b.beam}${b.blocked ? '+' : '-'}`)).toEqual([
      'a+',
      'b+',
      'a-',
      'b-',
    ]);

    await until(
      () => /serial device online[^\n]*scan-b1|scan-b1[^\n]*serial device online/.test(bridgeLog),
      bridgeState('scanner online'),
      BRIDGE_DEADLINE_MS,
    );
    scanner.scan('4006381333931');
    scanner.scan('4006381333930'); // misread: never forwarded
    scanner.scan('10614141000415');
    await until(
      () => recorder.of('scan-b1', 'scanner.scan').length >= 2,
      bridgeState('scans'),
      BRIDGE_DEADLINE_MS,
    );
    expect(recorder.of('scan-b1', 'scanner.scan').map((s) => s.code)).toEqual([
      '4006381333931',
      '10614141000415',
    ]);
    expect(
      await tb.metric('storegate_device_messages_accepted_total', { device: 'shelf-b1' }),
    ).toBeGreaterThan(24);
    expect(await tb.metric('storegate_device_messages_rejected_total')).toBe(0);
  });
});
