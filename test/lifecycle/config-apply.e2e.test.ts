import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cleanEnv, ensureBuilt, eventually, writeConfig } from '../cli/support.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { freePort } from '../support/peers.js';
import { CloudConsumer } from '../uplink/harness.js';

/**
 * `config.apply` from a real Mosquitto cloud to a `storegate start` process: an invalid config is refused and
 * changes nothing; a valid one is staged, applied with an in-process restart and reported applied; one that
 * cuts the cloud link (a dead broker URL) is rolled back to the previous file and the link comes back.
 */
const PREFIX = 'stores/store-5';
let dir: string;
let config: string;
let broker: Mosquitto;
let consumer: CloudConsumer;
let gateway: ChildProcess;
let output = '';
let yamlOf: (extra: string) => string;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sg-config-apply-'));
  broker = await startMosquitto();
  consumer = await CloudConsumer.connect(broker.url, [`${PREFIX}/cmd-response/#`, `${PREFIX}/status`]);
  const http = await freePort();
  const mqttPort = await freePort();
  yamlOf = (extra: string) =>
    [
      'data_dir: ./data',
      'log: { level: info }',
      'store: { id: store-5 }',
      `broker: { host: 127.0.0.1, port: ${mqttPort} }`,
      `http: { host: 127.0.0.1, port: ${http} }`,
      extra,
    ].join('\n');
  config = writeConfig(
    dir,
    yamlOf(
      `cloud: { url: "${broker.url}", reconnect_min_ms: 50, reconnect_max_ms: 500, command_signing: { trusted_connection: true } }`,
    ),
  );
  gateway = spawn(process.execPath, [CLI_BIN, '--config', config, 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({ SG_CONFIG_APPLY_DEADLINE_MS: '6000' }),
  });
  gateway.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  gateway.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await consumer.waitFor(
    () => consumer.messages.some((m) => m.topic === `${PREFIX}/status` && m.payload.includes('"online"')),
    30_000,
    'gateway online',
  );
}, 60_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  await consumer?.close();
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function call(name: string, args: object): Promise<Record<string, unknown>> {
  const id = `r-${Math.random().toString(36).slice(2)}`;
  await consumer.mqtt.publishAsync(`${PREFIX}/cmd/${name}`, JSON.stringify({ id, args }), { qos: 1 });
  const topic = `${PREFIX}/cmd-response/${name}`;
  const find = () => consumer.messages.find((m) => m.topic === topic && m.payload.includes(id));
  await consumer.waitFor(() => find() !== undefined, 15_000, `${name} response (${output.slice(-2000)})`);
  return JSON.parse(find()!.payload);
}

async function lastApply(): Promise<Record<string, unknown> | null> {
  try {
    const r = await call('config.status', {});
    return (r.data as { last_apply: Record<string, unknown> | null }).last_apply;
  } catch {
    return null; // the uplink is restarting
  }
}

describe('config.apply', () => {
  it('refuses an invalid config and changes nothing', async () => {
    const before = readFileSync(config, 'utf8');
    const r = await call('config.apply', { yaml: yamlOf('health: { check_interval_ms: 5 }') });
    expect(r).toMatchObject({ status: 'error' });
    expect(JSON.stringify(r)).toContain('check_interval_ms');
    expect(readFileSync(config, 'utf8')).toBe(before);
  }, 60_000);

  it('applies a valid config with a restart and reports it applied', async () => {
    const text = yamlOf(
      `health: { check_interval_ms: 2000 }\ncloud: { url: "${broker.url}", reconnect_min_ms: 50, reconnect_max_ms: 500, command_signing: { trusted_connection: true } }`,
    );
    const r = await call('config.apply', { yaml: text });
    expect(r).toMatchObject({
      status: 'ok',
      data: { state: 'in_progress', restart: true, changed_sections: ['health'] },
    });
    expect(readFileSync(config, 'utf8')).toBe(text);
    await eventually(
      async () => ((await lastApply())?.state === 'applied' ? true : undefined),
      'applied',
      45_000,
    );
  }, 90_000);

  it('rolls back a config that loses the cloud link', async () => {
    const before = readFileSync(config, 'utf8');
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const r = await call('config.apply', {
      yaml: yamlOf(
        `cloud: { url: "${dead}", reconnect_min_ms: 50, reconnect_max_ms: 500, command_signing: { trusted_connection: true } }`,
      ),
    });
    expect(r).toMatchObject({ status: 'ok', data: { state: 'in_progress' } });
    const record = await eventually(
      async () => {
        const last = await lastApply();
        return last?.state === 'rolled_back' ? last : undefined;
      },
      'rolled back',
      60_000,
    );
    expect(String(record.problem)).toContain('cloud link');
    expect(readFileSync(config, 'utf8')).toBe(before);
  }, 90_000);
});
