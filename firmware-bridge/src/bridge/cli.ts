#!/usr/bin/env node
import { Command } from 'commander';
import { systemClock } from '../../../shared/src/clock.js';
import { formatError, StoregateError } from '../../../shared/src/errors.js';
import { createLogger } from '../../../shared/src/logger.js';
import { SerialDeviceSet } from '../serial-devices.js';
import { serialPortOpener } from '../transport/port.js';
import { sysfsPortLister } from '../transport/port-lister.js';
import { loadBridgeConfig } from './config.js';
import { MqttForwarder } from './forwarder.js';

/**
 * `storegate-bridge --config storegate-bridge.yaml`: serial devices on a lane PC (or far from the gateway)
 * forwarded to the gateway's broker with the MQTT device contract. Same supervision as inside the gateway.
 */
const program = new Command('storegate-bridge')
  .description('forward serial devices to an MQTT broker with the Storegate device contract')
  .option('-c, --config <file>', 'bridge configuration', 'storegate-bridge.yaml')
  .action(async (opts: { config: string }) => {
    const config = loadBridgeConfig(opts.config);
    const logger = createLogger({ level: config.log.level, name: 'storegate-bridge' });
    const devices = new SerialDeviceSet(config.serial, {
      opener: serialPortOpener,
      lister: sysfsPortLister(),
      clock: systemClock(),
      logger,
    });
    const forwarder = new MqttForwarder(config, devices, logger);
    devices.on('state', (d, state, detail) =>
      logger.info({ device: d.id, state, detail }, 'serial link state'),
    );
    devices.on('reject', (d, reason) => {
      if (reason === 'sequence_gap') logger.debug({ device: d.id, reason }, 'serial input rejected');
    });
    forwarder.start();
    devices.start();
    logger.info(
      { devices: config.serial.devices.map((d) => d.id), broker: config.mqtt.url },
      'bridge started',
    );
    const stop = async (signal: string) => {
      logger.info({ signal, forwarded: forwarder.stats }, 'bridge stopping');
      await devices.stop();
      await forwarder.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`${err instanceof StoregateError ? formatError(err) : `error: ${err.message}`}\n`);
  process.exit(1);
});
