import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type {
  DeviceIdentity,
  DriverEvents,
  SerialDriver,
} from '../../../../firmware-bridge/src/drivers/driver.js';
import type { PortOpener, SerialLink } from '../../../../firmware-bridge/src/transport/port.js';
import type { PortLister } from '../../../../firmware-bridge/src/transport/port-lister.js';
import { type Binding, PortSupervisor } from '../../../../firmware-bridge/src/transport/supervisor.js';
import type { Clock } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import { createModbusClient, type ModbusClient } from './client.js';
import { RtuFramePort } from './rtu-frame-port.js';
import type { ModbusTransport, TransportEvents } from './transport.js';

export interface RtuLine {
  baud: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** Real serial ports with the line settings Modbus needs (the bridge's opener only sets the baud rate). */
export function rtuPortOpener(line: RtuLine): PortOpener {
  return {
    open(path, baudRate) {
      return new Promise((resolve, reject) => {
        const port = new SerialPort({
          path,
          baudRate,
          parity: line.parity,
          dataBits: line.dataBits,
          stopBits: line.stopBits,
          autoOpen: false,
          lock: true,
        });
        port.open((err) => (err ? reject(err) : resolve(port as unknown as SerialLink)));
      });
    },
  };
}

/** The supervisor's driver for a Modbus bus: no handshake (a bus has no identity), just the master client. */
class ModbusMasterDriver extends EventEmitter<DriverEvents> implements SerialDriver {
  client: ModbusClient | null = null;
  private port: RtuFramePort | null = null;

  constructor(private readonly clock: Clock) {
    super();
  }

  get lastActivityAt(): number {
    return this.port?.lastActivityAt ?? 0;
  }

  async start(link: SerialLink): Promise<DeviceIdentity> {
    this.port = new RtuFramePort(link, () => this.clock.now());
    const client = createModbusClient(this.port);
    await new Promise<void>((resolve, reject) =>
      client.open((err: Error | null) => (err ? reject(err) : resolve())),
    );
    this.client = client;
    return { kind: 'modbus-rtu' };
  }

  stop(): void {
    this.client = null;
    this.port?.close();
    this.port = null;
  }
}

export interface RtuTransportOptions {
  id: string;
  binding: Binding;
  line: RtuLine;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/**
 * Modbus RTU on an RS-485 adapter under the serial port supervisor: bound by by-id path or USB identity,
 * reopened with backoff after unplug or read errors, presence re-checked while open. Silence is not a fault
 * here (every slave may be off while the adapter is fine), so the silence watchdog is off.
 */
export class RtuTransport extends EventEmitter<TransportEvents> implements ModbusTransport {
  readonly kind = 'rtu';
  readonly supervisor: PortSupervisor;

  constructor(
    opts: RtuTransportOptions,
    deps: { clock: Clock; logger: Logger; lister: PortLister; opener?: PortOpener },
  ) {
    super();
    this.supervisor = new PortSupervisor(
      {
        id: opts.id,
        binding: opts.binding,
        baudRate: opts.line.baud,
        backoffInitialMs: opts.backoffInitialMs,
        backoffMaxMs: opts.backoffMaxMs,
        silenceMs: 0,
      },
      {
        opener: deps.opener ?? rtuPortOpener(opts.line),
        lister: deps.lister,
        clock: deps.clock,
        logger: deps.logger,
        createDriver: () => new ModbusMasterDriver(deps.clock),
      },
    );
    this.supervisor.on('state', (state, detail) => {
      if (state === 'online') this.emit('state', true, detail);
      else if (state === 'offline') this.emit('state', false, detail);
    });
  }

  client(): ModbusClient | null {
    if (this.supervisor.state !== 'online') return null;
    return (this.supervisor.driver as ModbusMasterDriver | null)?.client ?? null;
  }

  start(): void {
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
  }
}
