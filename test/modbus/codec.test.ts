import { describe, expect, it } from 'vitest';
import { modbusSection } from '../../gateway/src/config/sections/modbus.js';
import { interFrameGapMs } from '../../gateway/src/connectors/modbus/bus.js';
import { expectedAnswerLength } from '../../gateway/src/connectors/modbus/rtu-frame-port.js';
import { MODBUS_MODELS, modelPoints } from '../../gateway/src/core/devices/modbus/catalog.js';
import {
  decodeWords,
  encodeWords,
  planReads,
  readPoint,
} from '../../gateway/src/core/devices/modbus/codec.js';
import type { RegisterPoint } from '../../gateway/src/core/devices/modbus/model.js';
import { planSetpointWrite } from '../../gateway/src/core/devices/modbus/write.js';

describe('register codec (literal vectors)', () => {
  it('decodes 16/32-bit integers and IEEE floats in both word orders', () => {
    expect(decodeWords([0xffce], 's16')).toBe(-50);
    expect(decodeWords([0xffce], 'u16')).toBe(65_486);
    // 1234.5 as IEEE 754 single = 0x449A5000
    expect(decodeWords([0x449a, 0x5000], 'float32', 'high_first')).toBe(1234.5);
    expect(decodeWords([0x5000, 0x449a], 'float32', 'low_first')).toBe(1234.5);
    expect(decodeWords([0x0001, 0x0002], 'u32')).toBe(65_538);
    expect(decodeWords([0xffff, 0xfffe], 's32')).toBe(-2);
    expect(encodeWords(1234.5, 'float32')).toEqual([0x449a, 0x5000]);
    expect(encodeWords(-2, 's32', 'low_first')).toEqual([0xfffe, 0xffff]);
    expect(encodeWords(-25, 's16')).toEqual([0xffe7]);
  });

  it('reads bits, state values and scaled numbers out of read blocks', () => {
    const bit: RegisterPoint = { fn: 3, address: 11, type: 'u16', bit: 4, evidence: 'assumed', ref: '' };
    const state: RegisterPoint = {
      fn: 3,
      address: 12,
      type: 'u16',
      equals: [14],
      evidence: 'assumed',
      ref: '',
    };
    const temp: RegisterPoint = { fn: 3, address: 10, type: 's16', scale: 0.1, evidence: 'assumed', ref: '' };
    const blocks = planReads([bit, state, temp]);
    expect(blocks).toEqual([{ fn: 3, start: 10, count: 3 }]);
    const values = [[0xff9c, 0b10000, 14]];
    expect(readPoint(temp, blocks, values)).toBeCloseTo(-10);
    expect(readPoint(bit, blocks, values)).toBe(true);
    expect(readPoint(state, blocks, values)).toBe(true);
    expect(readPoint({ ...state, invert: true }, blocks, values)).toBe(false);
  });

  it('plans one request per function for close points and splits far ones or long spans', () => {
    const p = (fn: 1 | 3 | 4, address: number, type: RegisterPoint['type'] = 'u16'): RegisterPoint => ({
      fn,
      address,
      type,
      evidence: 'assumed',
      ref: '',
    });
    expect(planReads([p(3, 0), p(3, 5), p(3, 100), p(4, 0x156, 'float32'), p(1, 1), p(1, 37)])).toEqual([
      { fn: 1, start: 1, count: 1 },
      { fn: 1, start: 37, count: 1 },
      { fn: 3, start: 0, count: 6 },
      { fn: 3, start: 100, count: 1 },
      { fn: 4, start: 0x156, count: 2 },
    ]);
    expect(planReads([p(3, 0), p(3, 4)], 3)).toEqual([
      { fn: 3, start: 0, count: 1 },
      { fn: 3, start: 4, count: 1 },
    ]);
  });

  it('answer lengths and inter-frame gaps follow the serial-line spec', () => {
    expect(expectedAnswerLength(Buffer.from([1, 3, 0, 0, 0, 10, 0, 0]))).toBe(25);
    expect(expectedAnswerLength(Buffer.from([1, 1, 0, 0, 0, 37, 0, 0]))).toBe(10);
    expect(expectedAnswerLength(Buffer.from([1, 6, 0, 0, 0, 1, 0, 0]))).toBe(8);
    expect(interFrameGapMs(9_600, 10)).toBeCloseTo(3.646, 3);
    expect(interFrameGapMs(19_200, 11)).toBeCloseTo(2.005, 3);
    expect(interFrameGapMs(38_400, 10)).toBe(1.75);
  });
});

describe('shipped models', () => {
  it('every model has a cited source for each register, and reads that respect the protocol limits', () => {
    for (const model of MODBUS_MODELS.values()) {
      expect(model.manual.length).toBeGreaterThan(10);
      for (const [, point] of modelPoints(model)) expect(point.ref.length, `${model.id}`).toBeGreaterThan(10);
      for (const s of Object.values(model.setpoints)) expect(s.min).toBeLessThanOrEqual(s.max);
    }
    expect(
      [...MODBUS_MODELS.values()].filter((m) => m.reading === 'cold.sample').map((m) => m.vendor).length,
    ).toBeGreaterThanOrEqual(3);
    expect([...MODBUS_MODELS.values()].some((m) => m.reading === 'energy.meter')).toBe(true);
  });

  it('setpoint writes are typed and range-checked before anything is sent', () => {
    const danfoss = MODBUS_MODELS.get('danfoss-ak-cc55')!;
    expect(planSetpointWrite(danfoss, 'cutout', 3.5)).toEqual({ fn: 6, address: 99, words: [35], raw: 35 });
    expect(planSetpointWrite(MODBUS_MODELS.get('dixell-xr')!, 'setpoint', -18)).toMatchObject({
      fn: 16,
      words: [0xff4c],
    });
    expect(planSetpointWrite(MODBUS_MODELS.get('carel-ir33')!, 'defrost_call', true)).toMatchObject({
      fn: 5,
      words: [1],
    });
    expect(() => planSetpointWrite(danfoss, 'cutout', 51)).toThrow(/outside -50…50 °C/);
    expect(() => planSetpointWrite(danfoss, 'cutout', '4')).toThrow(/needs a number/);
    expect(() => planSetpointWrite(danfoss, 'cutout', Number.NaN)).toThrow(/needs a number/);
    expect(() => planSetpointWrite(MODBUS_MODELS.get('eastron-sdm120')!, 'x', 1)).toThrow(/no setpoint/);
  });
});

describe('modbus: config section', () => {
  it('accepts RTU and TCP buses and refuses dangling buses, shared slave ids and unknown models', () => {
    const ok = modbusSection.parse({
      buses: [
        { id: 'rs485', rtu: { path: '/dev/serial/by-id/usb-FTDI-if00', baud: 9600, parity: 'even' } },
        { id: 'plant', tcp: { host: '10.0.0.5' } },
      ],
      devices: [{ id: 'case-1', bus: 'rs485', slave: 1, model: 'carel-ir33' }],
    });
    expect(ok.buses[0]!.rtu).toMatchObject({ baud: 9600, parity: 'even', data_bits: 8, stop_bits: 1 });
    expect(ok.buses[1]!.tcp!.port).toBe(502);
    expect(ok.devices[0]!.interval_s).toBe(30);
    const bad = modbusSection.safeParse({
      buses: [{ id: 'rs485', rtu: { path: '/dev/x' }, tcp: { host: 'h' } }],
      devices: [
        { id: 'a', bus: 'rs485', slave: 1, model: 'carel-ir33' },
        { id: 'b', bus: 'rs485', slave: 1, model: 'nope' },
        { id: 'c', bus: 'ghost', slave: 2, model: 'dixell-xr' },
      ],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(messages).toMatch(/buses.0: give exactly one of rtu or tcp/);
    expect(messages).toMatch(/devices.1.model/);
    // cross-references are checked once every entry is valid on its own
    const dangling = modbusSection.safeParse({
      buses: [{ id: 'rs485', rtu: { path: '/dev/x' } }],
      devices: [
        { id: 'a', bus: 'rs485', slave: 1, model: 'carel-ir33' },
        { id: 'b', bus: 'rs485', slave: 1, model: 'dixell-xr' },
        { id: 'c', bus: 'ghost', slave: 2, model: 'dixell-xr' },
      ],
    });
    const issues = dangling.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(issues).toMatch(/devices.1.slave: slave 1 is already used on bus rs485/);
    expect(issues).toMatch(/devices.2.bus: no bus "ghost"/);
  });
});
