import { type PortLister, sysfsPortLister } from '../../../../firmware-bridge/src/transport/port-lister.js';
import { intrinsicQuality } from '../../../../shared/src/devices/codec.js';
import type { ColdSampleBody, EnergyMeterBody } from '../../../../shared/src/devices/cold.js';
import { readingSpecs } from '../../../../shared/src/devices/tables.js';
import type { Reading } from '../../../../shared/src/readings.js';
import type { ModbusConnectorDeps } from '../../connectors/modbus/modbus-connector.js';
import type { GatewayContext } from '../context.js';

/** A polled sample as a pipeline Reading: polled now (controllers have no usable clock), quality by the definition. */
export function modbusReading(
  deviceId: string,
  body: ColdSampleBody | EnergyMeterBody,
  receivedAt: number,
): Reading {
  const spec = readingSpecs.get(body.type)?.spec;
  return {
    ...body,
    deviceId,
    deviceTime: null,
    receivedAt,
    quality: spec ? intrinsicQuality(spec, body) : 'good',
    source: 'modbus',
  } as Reading;
}

export function connectorDeps(ctx: GatewayContext, lister?: PortLister): ModbusConnectorDeps {
  return {
    clock: ctx.clock,
    logger: ctx.logger.child({ mod: 'modbus' }),
    lister: lister ?? sysfsPortLister(),
  };
}
