import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODBUS_MODELS } from '../../gateway/src/core/devices/modbus/catalog.js';
import { createModbusLine } from '../support/modbus-line.js';
import { registersFor, startModbusSlave } from '../support/modbus-slave.js';
import { createPtyPair } from '../support/pty.js';
import { recordingConnector, until } from './harness.js';

const model = (id: string) => MODBUS_MODELS.get(id)!;
const dir = mkdtempSync(join(tmpdir(), 'sg-modbus-rtu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const carel = {
  tempC: 4.2,
  compressorOn: true,
  defrost: false,
  doorOpen: false,
  probeFault: false,
  alarm: false,
};
const sdm120 = { kwh: 321.5, powerW: 42.25 };

describe('Modbus RTU on a socat PTY pair against pymodbus slaves', () => {
  it('polls several slaves on one bus; an unplugged adapter goes down and comes back on replug', async () => {
    const pair = await createPtyPair(join(dir, 'gw'), join(dir, 'dev'));
    const slave = await startModbusSlave(
      dir,
      { 1: registersFor(model('carel-ir33'), carel), 7: registersFor(model('eastron-sdm120'), sdm120) },
      { rtuPath: pair.b },
    );
    const r = recordingConnector({
      buses: [{ id: 'rs485', rtu: { path: pair.a, baud: 19_200 }, timeout_ms: 300 }],
      devices: [
        { id: 'case-1', bus: 'rs485', slave: 1, model: 'carel-ir33', interval_s: 0.2 },
        { id: 'meter-1', bus: 'rs485', slave: 7, model: 'eastron-sdm120', interval_s: 0.2 },
      ],
      reconnect_initial_ms: 50,
      reconnect_max_ms: 300,
    });
    r.connector.start();
    try {
      await until(
        () => r.samples.some((s) => s.id === 'case-1') && r.samples.some((s) => s.id === 'meter-1'),
        'both slaves',
      );
      expect(r.samples.find((s) => s.id === 'case-1')!.body).toEqual({
        type: 'cold.sample',
        unit: 'case-1',
        ...carel,
      });
      expect(r.samples.find((s) => s.id === 'meter-1')!.body).toEqual({
        type: 'energy.meter',
        unit: 'meter-1',
        ...sdm120,
      });
      expect(r.failures).toEqual([]);

      await pair.unplug();
      await until(() => r.links.some((l) => !l.up), 'adapter down');
      await pair.replug();
      const n = r.samples.length;
      // pymodbus reopens its end of the new PTY by itself (auto_reconnect)
      await until(() => r.samples.length > n + 2, 'samples after replug', 30_000);
      expect(r.links.filter((l) => l.up).length).toBeGreaterThanOrEqual(2);
    } finally {
      await r.connector.stop();
      await slave.stop();
      await pair.close();
    }
  });

  it('corrupted answers are counted as CRC errors and retried; the slave stays online', async () => {
    const line = await createModbusLine(join(dir));
    const slave = await startModbusSlave(
      dir,
      { 3: registersFor(model('carel-ir33'), carel) },
      { rtuPath: line.slave },
    );
    const r = recordingConnector({
      buses: [{ id: 'rs485', rtu: { path: line.master }, timeout_ms: 400, retries: 2 }],
      devices: [{ id: 'case-3', bus: 'rs485', slave: 3, model: 'carel-ir33', interval_s: 0.3 }],
    });
    r.connector.start();
    try {
      await until(() => r.samples.length > 0, 'first sample');
      line.corruptNextAnswers(2);
      const n = r.samples.length;
      await until(
        () => line.corrupted === 2 && r.samples.length > n + 1,
        'samples after the corrupted answers',
      );
      expect(r.failures.filter((f) => f.reason === 'crc')).toHaveLength(2);
      expect(r.online.every((o) => o.online)).toBe(true);
    } finally {
      await r.connector.stop();
      await slave.stop();
      await line.close();
    }
  });
});
