import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODBUS_MODELS } from '../../gateway/src/core/devices/modbus/catalog.js';
import { type ModbusSlaveProcess, registersFor, startModbusSlave } from '../support/modbus-slave.js';
import { freePort } from '../support/peers.js';
import { recordingConnector, until } from './harness.js';

const model = (id: string) => MODBUS_MODELS.get(id)!;
const dir = mkdtempSync(join(tmpdir(), 'sg-modbus-tcp-'));
let slave: ModbusSlaveProcess;
let port = 0;

const carel = {
  tempC: 3.4,
  compressorOn: true,
  defrost: false,
  doorOpen: true,
  probeFault: false,
  alarm: false,
};
const dixell = {
  tempC: -18.5,
  compressorOn: false,
  defrost: true,
  doorOpen: false,
  alarm: true,
  probeFault: false,
};
const danfoss = { tempC: 2.1, alarm: false, defrost: true };
const sdm630 = { kwh: 12345.5, powerW: 870.25 };

beforeAll(async () => {
  port = await freePort();
  slave = await startModbusSlave(
    dir,
    {
      1: registersFor(model('carel-ir33'), carel),
      2: registersFor(model('dixell-xr'), dixell),
      3: registersFor(model('danfoss-ak-cc55'), danfoss),
      4: registersFor(model('eastron-sdm630'), sdm630),
      5: registersFor(model('eastron-sdm120'), { kwh: 7.25, powerW: 15.5 }),
    },
    { tcpPort: port },
  );
});

afterAll(async () => {
  await slave?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const devices = [
  { id: 'case-carel', bus: 'plant', slave: 1, model: 'carel-ir33', interval_s: 0.2, unit: 'dairy-1' },
  { id: 'case-dixell', bus: 'plant', slave: 2, model: 'dixell-xr', interval_s: 0.2 },
  { id: 'case-danfoss', bus: 'plant', slave: 3, model: 'danfoss-ak-cc55', interval_s: 0.2 },
  { id: 'meter-3ph', bus: 'plant', slave: 4, model: 'eastron-sdm630', interval_s: 0.2 },
  { id: 'meter-1ph', bus: 'plant', slave: 5, model: 'eastron-sdm120', interval_s: 0.2 },
];

describe('Modbus TCP against pymodbus slaves serving the shipped register maps', () => {
  it('every shipped model decodes to the values the slave holds', async () => {
    const r = recordingConnector({ buses: [{ id: 'plant', tcp: { host: '127.0.0.1', port } }], devices });
    r.connector.start();
    try {
      await until(
        () => devices.every((d) => r.samples.some((s) => s.id === d.id)),
        'a sample from every device',
      );
      const last = (id: string) => r.samples.filter((s) => s.id === id).at(-1)!.body;
      expect(last('case-carel')).toEqual({ type: 'cold.sample', unit: 'dairy-1', ...carel });
      expect(last('case-dixell')).toEqual({ type: 'cold.sample', unit: 'case-dixell', ...dixell });
      expect(last('case-danfoss')).toEqual({ type: 'cold.sample', unit: 'case-danfoss', ...danfoss });
      expect(last('meter-3ph')).toEqual({ type: 'energy.meter', unit: 'meter-3ph', ...sdm630 });
      expect(last('meter-1ph')).toEqual({ type: 'energy.meter', unit: 'meter-1ph', kwh: 7.25, powerW: 15.5 });
      expect(r.links[0]).toMatchObject({ bus: 'plant', up: true });
      expect(r.failures).toEqual([]);

      // a change on the controller shows up in a later poll
      await slave.set(1, 'hr', 4, [0xffff & -52]); // −5.2 °C in tenths, two's complement
      await until(() => (last('case-carel') as { tempC?: number }).tempC === -5.2, 'the new temperature');
    } finally {
      await r.connector.stop();
    }
  });

  it('a slave that stops answering times out, goes offline, is polled less often and comes back', async () => {
    const r = recordingConnector({
      buses: [{ id: 'plant', tcp: { host: '127.0.0.1', port }, timeout_ms: 150, retries: 1 }],
      devices: [devices[0], devices[1]],
      offline_after_failures: 2,
      backoff_max_s: 1,
    });
    r.connector.start();
    try {
      await until(() => r.samples.some((s) => s.id === 'case-carel'), 'first sample');
      await slave.mute(1);
      await until(() => r.online.some((o) => o.id === 'case-carel' && !o.online), 'case-carel offline');
      expect(r.failures.filter((f) => f.id === 'case-carel').every((f) => f.reason === 'timeout')).toBe(true);
      // the neighbour on the same bus keeps being polled meanwhile
      const before = r.samples.filter((s) => s.id === 'case-dixell').length;
      await until(
        () => r.samples.filter((s) => s.id === 'case-dixell').length > before + 3,
        'neighbour samples',
      );
      await slave.unmute(1);
      await until(
        () => r.online.filter((o) => o.id === 'case-carel').at(-1)?.online === true,
        'case-carel back',
      );
    } finally {
      await slave.unmute(1);
      await r.connector.stop();
    }
  });

  it('exception answers are counted by code and keep the slave online', async () => {
    const r = recordingConnector({
      buses: [{ id: 'plant', tcp: { host: '127.0.0.1', port }, timeout_ms: 300 }],
      devices: [{ ...devices[2] }],
    });
    r.connector.start();
    try {
      await until(() => r.samples.length > 0, 'first sample');
      await slave.fail(3, true);
      await until(
        () => r.failures.some((f) => f.reason === 'exception_4'),
        'exception 4 (slave device failure)',
      );
      expect(r.online.at(-1)).toEqual({ id: 'case-danfoss', online: true });
      await slave.fail(3, false);
      await slave.drop(3, 'hr', 2531);
      await until(
        () => r.failures.some((f) => f.reason === 'exception_2'),
        'exception 2 (illegal data address)',
      );
      expect(r.online.at(-1)).toEqual({ id: 'case-danfoss', online: true });
    } finally {
      await slave.fail(3, false);
      await slave.set(3, 'hr', 2531, [21]);
      await r.connector.stop();
    }
  });

  it('setpoint writes are range-checked and land in the controller', async () => {
    const r = recordingConnector({
      buses: [{ id: 'plant', tcp: { host: '127.0.0.1', port } }],
      devices: [devices[0], devices[2]],
    });
    r.connector.start();
    try {
      await until(() => r.links.some((l) => l.up), 'link up');
      const plan = await r.connector.writeSetpoint('case-danfoss', 'cutout', -2.5);
      expect(plan).toMatchObject({ fn: 6, address: 99, raw: -25 });
      expect(await slave.get(3, 'hr', 99)).toEqual([0x10000 - 25]);
      await r.connector.writeSetpoint('case-carel', 'defrost_call', 1);
      expect(await slave.get(1, 'co', 34)).toEqual([true]);
      await expect(r.connector.writeSetpoint('case-danfoss', 'cutout', 80)).rejects.toMatchObject({
        code: 'SG_BAD_ARGUMENT',
      });
      await expect(r.connector.writeSetpoint('case-danfoss', 'nope', 1)).rejects.toMatchObject({
        code: 'SG_BAD_ARGUMENT',
        hint: 'writable setpoints: cutout, main_switch',
      });
      await expect(r.connector.writeSetpoint('ghost', 'cutout', 1)).rejects.toMatchObject({
        code: 'SG_DEVICE_UNKNOWN',
      });
      expect(await slave.get(3, 'hr', 99)).toEqual([0x10000 - 25]);
    } finally {
      await r.connector.stop();
    }
  });

  it('a TCP endpoint that goes away is reconnected with backoff', async () => {
    const r = recordingConnector({
      buses: [{ id: 'plant', tcp: { host: '127.0.0.1', port }, timeout_ms: 200 }],
      devices: [devices[3]],
      reconnect_initial_ms: 50,
      reconnect_max_ms: 200,
    });
    r.connector.start();
    try {
      await until(() => r.samples.length > 0, 'first sample');
      await slave.stop();
      await until(() => r.links.some((l) => !l.up), 'link down');
      slave = await startModbusSlave(
        dir,
        {
          4: registersFor(model('eastron-sdm630'), sdm630),
          1: registersFor(model('carel-ir33'), carel),
          2: registersFor(model('dixell-xr'), dixell),
          3: registersFor(model('danfoss-ak-cc55'), danfoss),
        },
        { tcpPort: port },
      );
      const n = r.samples.length;
      await until(() => r.samples.length > n, 'samples after the endpoint came back');
      expect(r.links.filter((l) => l.up).length).toBeGreaterThanOrEqual(2);
    } finally {
      await r.connector.stop();
    }
  });
});
