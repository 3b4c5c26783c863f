import { StoregateError } from '../../core/errors.js';
import type { BrokerFeature } from '../broker/feature.js';
import type { GatewayContext } from '../context.js';
import type { SerialConnectorFeature } from '../serial/feature.js';
import {
  mqttShelfCommands,
  routedShelfCommands,
  type ShelfDeviceCommands,
  serialShelfCommands,
} from './device-commands.js';

/** Shelf tare/calibrate reach serial controllers over the serial protocol, other shelves over MQTT commands. */
export function shelfDeviceCommands(
  ctx: GatewayContext,
  serial: SerialConnectorFeature,
  broker: BrokerFeature,
): ShelfDeviceCommands {
  return routedShelfCommands(
    (device) => serial.devices.supervisors.has(device),
    serialShelfCommands(serial.devices),
    mqttShelfCommands((device, name, args, timeoutMs) => {
      if (!ctx.registry.get(device)) {
        throw new StoregateError('SG_DEVICE_UNKNOWN', `no shelf device ${device} (serial or MQTT)`);
      }
      if (!ctx.deviceStats.get(device)?.connected) {
        throw new StoregateError('SG_NOT_READY', `${device} is not connected to the broker`);
      }
      return broker.commands.command(device, name, args, timeoutMs);
    }),
  );
}
