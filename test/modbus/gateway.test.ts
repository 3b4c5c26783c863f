import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { MODBUS_MODELS } from '../../gateway/src/core/devices/modbus/catalog.js';
import type { Reading } from '../../shared/src/readings.js';
import { authedFetch, seedToken } from '../support/auth.js';
import { type ModbusSlaveProcess, registersFor, startModbusSlave } from '../support/modbus-slave.js';
import { freePort } from '../support/peers.js';
import { until } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-modbus-gw-'));
const dataDir = join(dir, 'data');
let slave: ModbusSlaveProcess;
let gateway: Gateway;
let base = '';
const seen: Reading[] = [];

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  slave = await startModbusSlave(
    dir,
    {
      1: registersFor(MODBUS_MODELS.get('dixell-xr')!, { tempC: 5.5, probeFault: true, doorOpen: true }),
      2: registersFor(MODBUS_MODELS.get('eastron-sdm120')!, { kwh: 10.5, powerW: 120 }),
    },
    { tcpPort: port },
  );
  const config = parseConfig(
    {
      data_dir: dataDir,
      log: { level: 'fatal' },
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
      modbus: {
        buses: [{ id: 'plant', tcp: { host: '127.0.0.1', port }, timeout_ms: 300 }],
        devices: [
          { id: 'case-9', bus: 'plant', slave: 1, model: 'dixell-xr', interval_s: 0.2, unit: 'frozen-9' },
          { id: 'meter-9', bus: 'plant', slave: 2, model: 'eastron-sdm120', interval_s: 0.2 },
          { id: 'ghost-9', bus: 'plant', slave: 9, model: 'carel-ir33', interval_s: 0.2 },
        ],
        offline_after_failures: 2,
      },
    },
    { env: {}, baseDir: dir },
  );
  gateway = await buildGateway(config, { logger: pino({ level: 'silent' }) });
  gateway.context.pipeline.add({
    name: 'test-tap',
    handles: ['cold.sample', 'energy.meter'],
    process: (r) => {
      seen.push(r);
      return [];
    },
  });
  await gateway.start();
  base = `http://${gateway.addresses().http!.replace(/^https?:\/\//, '')}`;
});

afterAll(async () => {
  await gateway?.stop();
  await slave?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('modbus feature in a real gateway', () => {
  it('readings enter the pipeline with source modbus and the definition quality; metrics and API show state', async () => {
    await until(
      () => seen.some((r) => r.deviceId === 'case-9') && seen.some((r) => r.deviceId === 'meter-9'),
      'readings',
    );
    const cold = seen.find((r) => r.deviceId === 'case-9')!;
    expect(cold).toMatchObject({
      type: 'cold.sample',
      unit: 'frozen-9',
      probeFault: true,
      doorOpen: true,
      source: 'modbus',
      quality: 'bad',
    });
    // the controller flags its probe as failed: the number in the probe register is not kept as a temperature
    expect(cold).not.toHaveProperty('tempC');
    expect(seen.find((r) => r.deviceId === 'meter-9')).toMatchObject({
      type: 'energy.meter',
      kwh: 10.5,
      powerW: 120,
      quality: 'good',
    });

    const viewer = authedFetch(seedToken(dataDir, 'viewer'));
    const installer = authedFetch(seedToken(dataDir, 'installer'));
    await until(
      () => gateway.context.deviceStats.get('ghost-9')?.rejected.timeout !== undefined,
      'ghost timeouts',
    );
    const metrics = await (await viewer(`${base}/metrics`)).text();
    expect(metrics).toMatch(/storegate_modbus_errors_total\{device="ghost-9",reason="timeout"\} [1-9]/);
    expect(metrics).toMatch(/storegate_modbus_samples_total\{device="case-9"\} [1-9]/);
    expect(metrics).toContain('storegate_modbus_link_up{bus="plant"} 1');

    const devices = (await (await viewer(`${base}/api/modbus/devices`)).json()) as Array<{
      id: string;
      online: boolean | null;
    }>;
    expect(devices.find((d) => d.id === 'case-9')!.online).toBe(true);
    await until(() => gateway.context.deviceStats.get('ghost-9')?.connected === false, 'ghost offline');

    // the installer write path: viewers are refused, ranges checked, the value lands in the controller
    const put = (f: typeof viewer, name: string, value: unknown) =>
      f(`${base}/api/modbus/devices/case-9/setpoints/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value }),
      });
    expect((await put(viewer, 'setpoint', -20)).status).toBe(403);
    expect((await put(installer, 'setpoint', -99)).status).toBe(400);
    const ok = await put(installer, 'setpoint', -20);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ raw: -200, function: 16, address: 0x0300 });
    expect(await slave.get(1, 'hr', 0x0300)).toEqual([0x10000 - 200]);
    expect((await put(installer, 'nope', 1)).status).toBe(400);
  });
});
