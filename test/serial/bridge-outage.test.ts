import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DoorEmulator } from '../../firmware-bridge/src/emulators/door.js';
import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { Mosquitto } from '../support/mosquitto.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';
import { until } from './support.js';

/** storegate-bridge against a real Mosquitto that goes away: must-deliver readings wait and arrive in order. */
const dir = mkdtempSync(join(tmpdir(), 'sg-bridge-outage-'));
const door = new DoorEmulator({
  deviceId: 'door-o1',
  serialNumber: 'SGD-O1',
  hardware: 'sg-door',
  firmware: '1.0.0',
});
const broker = new Mosquitto();
const beams: string[] = [];
const seen = new Set<string>();
let pair: PtyPair;
let runner: { stop(): Promise<void> };
let bridge: ChildProcess;
let sub: MqttClient;
let log = '';

beforeAll(async () => {
  await broker.start();
  pair = await createPtyPair(join(dir, 'host'), join(dir, 'dev'));
  runner = runOnPort(door, pair.b);
  // a persistent QoS 1 subscriber: what it misses while the broker restarts is kept for it
  sub = mqtt.connect(broker.url, { clientId: 'cloud-sub', clean: false, reconnectPeriod: 200 });
  sub.on('error', () => {});
  sub.on('message', (_t, payload) => {
    // QoS 1 is at-least-once: a PUBACK lost as the broker stops makes the bridge resend the same payload.
    // A resend is byte-identical (same device time), so it is recognised here as the cloud would.
    const raw = payload.toString();
    if (seen.has(raw)) return;
    seen.add(raw);
    const p = JSON.parse(raw) as { beam: string; blocked: boolean };
    beams.push(`${p.beam}${p.blocked ? '+' : '-'}`);
  });
  await new Promise<void>((r) => sub.once('connect', () => r()));
  await sub.subscribeAsync('devices/+/beam', { qos: 1 });
  writeFileSync(
    join(dir, 'bridge.yaml'),
    stringify({
      mqtt: { url: broker.url },
      secrets: { 'door-o1': 'not-checked-by-this-broker' },
      serial: {
        backoff_initial_ms: 100,
        devices: [{ id: 'door-o1', driver: 'storegate', kind: 'door', path: pair.a }],
      },
    }),
  );
  bridge = spawn(
    process.execPath,
    ['dist/firmware-bridge/src/bridge/cli.js', '-c', join(dir, 'bridge.yaml')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  bridge.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  bridge.stderr?.on('data', (d: Buffer) => (log += d.toString()));
});

afterAll(async () => {
  if (bridge?.exitCode === null) {
    await new Promise<void>((r) => {
      bridge.once('exit', () => r());
      bridge.kill('SIGTERM');
    });
  }
  sub?.end(true);
  await runner?.stop();
  await pair?.close();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('storegate-bridge during a broker outage', () => {
  it('beams produced while the broker is down are delivered, in order, once it is back', async () => {
    await until(
      () => /bridge device connected to broker/.test(log) && /serial device online/.test(log),
      `bridge up\n${log}`,
      15_000,
    );
    door.pass('in');
    await until(() => beams.length >= 4, 'first pass');
    await broker.stop();
    door.pass('in');
    await new Promise((r) => setTimeout(r, 600));
    door.pass('out');
    await new Promise((r) => setTimeout(r, 600));
    expect(beams).toHaveLength(4);
    await broker.start();
    await until(() => beams.length >= 12, `beams after the outage: ${beams.join(' ')}\n${log}`, 20_000);
    expect(beams).toEqual(['a+', 'b+', 'a-', 'b-', 'a+', 'b+', 'a-', 'b-', 'b+', 'a+', 'b-', 'a-']);
  });
});
