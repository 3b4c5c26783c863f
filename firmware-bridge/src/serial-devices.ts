import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import type { Clock } from '../../shared/src/clock.js';
import type { Logger } from '../../shared/src/logger.js';
import type { SerialDeviceConfig, serialSection } from '../../shared/src/serial-config.js';
import { bindingOf, createDriver, silenceIsFailure } from './devices/catalog.js';
import type { DeviceIdentity, DriverReading } from './drivers/driver.js';
import { StoregateDriver } from './drivers/storegate-driver.js';
import type { CommandArgs, CommandResult } from './protocol/commands.js';
import type { CommandName } from './protocol/constants.js';
import type { PortOpener } from './transport/port.js';
import type { PortLister } from './transport/port-lister.js';
import { type LinkState, PortSupervisor } from './transport/supervisor.js';

export type SerialSection = z.output<typeof serialSection>;

export interface SerialDeviceSetEvents {
  reading: [config: SerialDeviceConfig, reading: DriverReading];
  state: [config: SerialDeviceConfig, state: LinkState, detail: string];
  online: [config: SerialDeviceConfig, identity: DeviceIdentity];
  reject: [config: SerialDeviceConfig, reason: string, detail: string];
}

/**
 * Every configured serial device under its own supervisor. Shared by the gateway's serial connector and the
 * standalone bridge, so both bind, recover and decode identically.
 */
export class SerialDeviceSet extends EventEmitter<SerialDeviceSetEvents> {
  readonly supervisors = new Map<string, PortSupervisor>();

  constructor(
    readonly section: SerialSection,
    deps: { opener: PortOpener; lister: PortLister; clock: Clock; logger: Logger },
  ) {
    super();
    for (const config of section.devices) {
      const sup = new PortSupervisor(
        {
          id: config.id,
          binding: bindingOf(config),
          baudRate: config.baud,
          backoffInitialMs: section.backoff_initial_ms,
          backoffMaxMs: section.backoff_max_ms,
          silenceMs: silenceIsFailure(config) ? section.silence_ms : 0,
          presenceCheckMs: section.presence_check_ms,
        },
        {
          ...deps,
          logger: deps.logger.child({ device: config.id }),
          createDriver: () => createDriver(config, deps.clock, section.identify_timeout_ms),
        },
      );
      sup.on('reading', (r) => this.emit('reading', config, r));
      sup.on('state', (s, detail) => this.emit('state', config, s, detail));
      sup.on('online', (identity) => this.emit('online', config, identity));
      sup.on('reject', (reason, detail) => this.emit('reject', config, reason, detail));
      this.supervisors.set(config.id, sup);
    }
  }

  start(): void {
    for (const s of this.supervisors.values()) s.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((s) => s.stop()));
  }

  /** Send a Storegate-protocol command to an online device. */
  command<K extends CommandName>(
    id: string,
    name: K,
    args: CommandArgs[K],
    timeoutMs?: number,
  ): Promise<CommandResult[K]> {
    const sup = this.supervisors.get(id);
    if (!sup) return Promise.reject(new Error(`no serial device ${id}`));
    const driver = sup.driver;
    if (!(driver instanceof StoregateDriver) || sup.state !== 'online') {
      return Promise.reject(
        new Error(
          `serial device ${id} is ${sup.state}${driver instanceof StoregateDriver || !driver ? '' : ' and does not take commands'}`,
        ),
      );
    }
    return driver.command(name, args, timeoutMs);
  }
}
