import pino from 'pino';
import { fakePortLister } from '../../firmware-bridge/src/transport/port-lister.js';
import { type ModbusSection, modbusSection } from '../../gateway/src/config/sections/modbus.js';
import { ModbusConnector } from '../../gateway/src/connectors/modbus/modbus-connector.js';
import { systemClock } from '../../shared/src/clock.js';
import type { ColdSampleBody, EnergyMeterBody } from '../../shared/src/devices/cold.js';

export const silent = pino({ level: 'silent' });

/** A connector on the real system clock, recording everything it reports. */
export function recordingConnector(input: unknown) {
  const section: ModbusSection = modbusSection.parse(input);
  const connector = new ModbusConnector(section, {
    clock: systemClock(),
    logger: silent,
    lister: fakePortLister([]),
  });
  const samples: Array<{ id: string; body: ColdSampleBody | EnergyMeterBody; at: number }> = [];
  const failures: Array<{ id: string; reason: string; detail: string }> = [];
  const online: Array<{ id: string; online: boolean }> = [];
  const links: Array<{ bus: string; up: boolean; detail: string }> = [];
  connector.on('sample', (id, body) => samples.push({ id, body, at: Date.now() }));
  connector.on('failure', (id, reason, detail) => failures.push({ id, reason, detail }));
  connector.on('online', (id, on) => online.push({ id, online: on }));
  connector.on('link', (bus, up, detail) => links.push({ bus, up, detail }));
  return { connector, samples, failures, online, links };
}

/** Wait for a condition with a generous deadline (the machine is shared); never a fixed sleep. */
export async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
