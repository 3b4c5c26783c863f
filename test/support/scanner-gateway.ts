import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, writeConfig } from '../cli/support.js';
import { CloudConsumer, STORE } from '../uplink/harness.js';
import { type Mosquitto, startMosquitto } from './mosquitto.js';
import { freePort } from './peers.js';

export interface ScannerGatewaySetup {
  dir: string;
  /** The config file for `storegate start` (see startGateway in test/cli/support.ts). */
  config: string;
  httpPort: number;
  brokerPort: number;
  cloud: Mosquitto;
  consumer: CloudConsumer;
  /** MQTT credentials of the registered `scanner-1` (lane 1). */
  creds: { client_id: string; username: string; password: string };
}

/**
 * What the process-level e2e tests of the uplink share: a temp data dir, Mosquitto as the cloud with a
 * consumer on it, a gateway config on free ports with a fast cloud reconnect, and `scanner-1` registered
 * through the CLI. Everything started is pushed onto `cleanups` (run in reverse by the caller).
 */
export async function scannerGatewayWithCloud(
  tag: string,
  cleanups: Array<() => Promise<unknown> | unknown>,
): Promise<ScannerGatewaySetup> {
  const dir = mkdtempSync(join(tmpdir(), `sg-e2e-${tag}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const cloud = await startMosquitto();
  cleanups.push(() => cloud.dispose());
  const consumer = await CloudConsumer.connect(cloud.url);
  cleanups.push(() => consumer.close());
  const [httpPort, brokerPort] = [await freePort(), await freePort()];
  const config = writeConfig(
    dir,
    [
      `store:\n  id: ${STORE}`,
      'data_dir: ./data',
      'log:\n  level: warn',
      `http:\n  host: 127.0.0.1\n  port: ${httpPort}`,
      `broker:\n  host: 127.0.0.1\n  port: ${brokerPort}`,
      `cloud:\n  url: ${cloud.url}\n  reconnect_min_ms: 50\n  reconnect_max_ms: 500`,
      '',
    ].join('\n'),
  );
  const added = await runCli(config, [
    'device',
    'add',
    'scanner-1',
    '--kind',
    'scanner',
    '--lane',
    '1',
    '--json',
  ]);
  expect(added.code, added.stderr).toBe(0);
  const creds = (JSON.parse(added.stdout) as { mqtt: ScannerGatewaySetup['creds'] }).mqtt;
  return { dir, config, httpPort, brokerPort, cloud, consumer, creds };
}
