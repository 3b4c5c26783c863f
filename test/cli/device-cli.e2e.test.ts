import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedFetch, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';
import {
  CLI_DEADLINE_MS,
  deadlineForRuns,
  ensureBuilt,
  eventually,
  type RunningGateway,
  runCli,
  startGateway,
  writeConfig,
} from './support.js';

/**
 * The installer's path end to end, with the built CLI and a real gateway as separate processes sharing the
 * registry file: add → connect with the printed credentials → list shows online → rotate → old secret refused →
 * remove → refused.
 */
let dir: string;
let config: string;
let brokerPort: number;
let httpPort: number;
let gateway: RunningGateway | undefined;
const clients: MqttClient[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sg-cli-e2e-'));
  brokerPort = await freePort();
  httpPort = await freePort();
  config = writeConfig(
    dir,
    [
      'data_dir: ./data',
      'log: { level: warn }',
      `broker: { host: 127.0.0.1, port: ${brokerPort} }`,
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      'health: { check_interval_ms: 300, offline_after_missed: 3 }',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function connect(username: string, password: string): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, {
    clientId: username,
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
}

interface AddJson {
  device: { id: string; kind: string; location: Record<string, string> };
  secret: string;
  mqtt: { url: string; client_id: string; username: string; password: string; publish_topics: string[] };
  qr_payload: string;
}

describe('storegate device (built CLI) against a running gateway', () => {
  // CLI runs, a gateway start and the waits for it, in sequence: each has its own deadline.
  it('add → connect → online → rotate → old secret refused → remove', {
    timeout: deadlineForRuns(12),
  }, async () => {
    const added = await runCli(config, [
      'device',
      'add',
      'shelf-e2e',
      '--kind',
      'shelf',
      '--aisle',
      '3',
      '--shelf',
      's2',
      '--label',
      'vendor=acme',
      '--broker-url',
      `mqtt://127.0.0.1:${brokerPort}`,
      '--json',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const creds = JSON.parse(added.stdout) as AddJson;
    expect(creds.device).toMatchObject({
      id: 'shelf-e2e',
      kind: 'shelf',
      location: { aisle: '3', shelf: 's2' },
    });
    expect(JSON.parse(creds.qr_payload)).toEqual({
      v: 1,
      broker: `mqtt://127.0.0.1:${brokerPort}`,
      device_id: 'shelf-e2e',
      secret: creds.secret,
    });
    expect(creds.mqtt.publish_topics).toEqual(['devices/shelf-e2e/shelf', 'devices/shelf-e2e/status']);

    // The human form prints the secret once, the settings and a QR code.
    const human = await runCli(config, ['device', 'add', 'door-e2e', '--kind', 'door', '--door', 'main']);
    expect(human.code).toBe(0);
    const humanSecret = /shown only now.*\n {2}(\S+)/.exec(human.stdout)?.[1];
    expect(humanSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(human.stdout).toContain('devices/door-e2e/door');
    expect(human.stdout).toContain('▄');
    expect(human.stdout).not.toContain('\x1b'); // piped: QR art without ANSI codes

    gateway = await startGateway(config, httpPort);

    const device = await connect(creds.mqtt.username, creds.mqtt.password);
    const door = await connect('door-e2e', humanSecret!);
    await device.publishAsync(
      'devices/shelf-e2e/status',
      JSON.stringify({ firmware: '1.4.2', uptime_s: 5 }),
      { qos: 1 },
    );
    const beat = setInterval(() => {
      device.publish('devices/shelf-e2e/shelf', JSON.stringify({ channel: 0, grams: [512.5, 512.4] }), {
        qos: 1,
      });
    }, 200);
    try {
      const listed = await eventually(
        async () => {
          const res = await runCli(config, ['device', 'list', '--json']);
          const rows = JSON.parse(res.stdout) as { id: string; online: boolean; firmware: string | null }[];
          const row = rows.find((r) => r.id === 'shelf-e2e');
          return row?.online && row.firmware === '1.4.2' ? rows : undefined;
        },
        'device list to show shelf-e2e online with its firmware',
        CLI_DEADLINE_MS,
      );
      expect(listed.map((r) => r.id)).toEqual(['door-e2e', 'shelf-e2e']);

      const table = await runCli(config, ['device', 'list']);
      expect(table.stdout).toMatch(/shelf-e2e\s*│\s*shelf\s*│\s*aisle=3 shelf=s2\s*│\s*online\s*│/);

      const api = await eventually(
        async () => {
          const res = await authedFetch(seedToken(join(dir, 'data'), 'viewer'))(
            `http://127.0.0.1:${httpPort}/api/devices`,
          );
          const body = (await res.json()) as { devices: Record<string, unknown>[] };
          const row = body.devices.find((d) => d.id === 'shelf-e2e');
          return row && (row.accepted as number) > 0 && row.online ? row : undefined;
        },
        '/api/devices to show accepted readings',
        CLI_DEADLINE_MS,
      );
      expect(api).toMatchObject({
        kind: 'shelf',
        connected: true,
        firmware: '1.4.2',
        labels: { vendor: 'acme' },
      });
    } finally {
      clearInterval(beat);
    }

    const rotated = await runCli(config, ['device', 'rotate-secret', 'shelf-e2e', '--json', '--yes']);
    expect(rotated.code).toBe(0);
    const newSecret = (JSON.parse(rotated.stdout) as AddJson).secret;
    expect(newSecret).not.toBe(creds.secret);
    await expect(connect('shelf-e2e', creds.secret)).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    (await connect('shelf-e2e', newSecret)).end(true);

    const removed = await runCli(config, ['device', 'remove', 'shelf-e2e', '--yes']);
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    await expect(connect('shelf-e2e', newSecret)).rejects.toThrow(/Bad username or password|Not authorized/i);
    const after = JSON.parse((await runCli(config, ['device', 'list', '--json'])).stdout) as { id: string }[];
    expect(after.map((r) => r.id)).toEqual(['door-e2e']);
    door.end(true);

    expect(await gateway.stop()).toBe(0);
    gateway = undefined;
  });

  it('gives clear usage errors with stable codes and exit statuses', {
    timeout: deadlineForRuns(12),
  }, async () => {
    const unknownKind = await runCli(config, ['device', 'add', 'x1', '--kind', 'toaster']);
    expect(unknownKind.code).toBe(1);
    expect(unknownKind.stderr).toContain('error [SG_BAD_ARGUMENT] unknown device kind "toaster"');
    expect(unknownKind.stderr).toContain('valid kinds: shelf, door, camera, scanner, scale, pos, plant');

    await runCli(config, ['device', 'add', 'dup-1', '--kind', 'scale']);
    const dup = await runCli(config, ['device', 'add', 'dup-1', '--kind', 'scale']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('error [SG_DEVICE_EXISTS]');

    for (const args of [
      ['show', 'ghost'],
      ['remove', 'ghost'],
      ['rotate-secret', 'ghost'],
    ]) {
      const res = await runCli(config, ['device', ...args]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('error [SG_DEVICE_UNKNOWN] no device ghost');
    }
    const badLabel = await runCli(config, ['device', 'add', 'x2', '--kind', 'pos', '--label', 'novalue']);
    expect(badLabel.stderr).toContain('error [SG_BAD_ARGUMENT]');
    const badId = await runCli(config, ['device', 'add', 'a/b', '--kind', 'pos']);
    expect(badId.stderr).toContain('invalid device id');

    const missingKind = await runCli(config, ['device', 'add', 'x3']);
    expect(missingKind.code).toBe(2);
    expect(missingKind.stderr).toContain("required option '--kind <kind>' not specified");
    expect((await runCli(config, ['device', 'frobnicate'])).code).toBe(2);

    const show = await runCli(config, ['device', 'show', 'dup-1', '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({
      id: 'dup-1',
      kind: 'scale',
      online: false,
      last_seen: null,
    });

    const missingConfig = await runCli(join(dir, 'nope.yaml'), ['device', 'list']);
    expect(missingConfig.code).toBe(1);
    expect(missingConfig.stderr).toContain('error [SG_CONFIG_NOT_FOUND]');
  });
});
