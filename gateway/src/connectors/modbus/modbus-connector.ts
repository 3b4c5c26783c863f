import { EventEmitter } from 'node:events';
import type { PortOpener } from '../../../../firmware-bridge/src/transport/port.js';
import type { PortLister } from '../../../../firmware-bridge/src/transport/port-lister.js';
import type { Binding } from '../../../../firmware-bridge/src/transport/supervisor.js';
import type { Clock } from '../../../../shared/src/clock.js';
import type { ColdSampleBody, EnergyMeterBody } from '../../../../shared/src/devices/cold.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { ModbusBusConfig, ModbusSection } from '../../config/sections/modbus.js';
import { MODBUS_MODELS } from '../../core/devices/modbus/catalog.js';
import { planSetpointWrite, type WritePlan } from '../../core/devices/modbus/write.js';
import { StoregateError } from '../../core/errors.js';
import { interFrameGapMs, ModbusBus } from './bus.js';
import type { ModbusFailure } from './errors.js';
import { DevicePoller } from './poller.js';
import { RtuTransport } from './rtu-transport.js';
import { TcpTransport } from './tcp-transport.js';
import type { ModbusTransport } from './transport.js';

export interface ModbusConnectorEvents {
  sample: [deviceId: string, body: ColdSampleBody | EnergyMeterBody];
  failure: [deviceId: string, failure: ModbusFailure, detail: string];
  online: [deviceId: string, online: boolean, reason: string];
  link: [busId: string, online: boolean, detail: string];
}

export interface ModbusConnectorDeps {
  clock: Clock;
  logger: Logger;
  lister: PortLister;
  /** Tests and the bench may open links their own way; default: serialport with the bus's line settings. */
  opener?: (bus: ModbusBusConfig) => PortOpener;
}

function bindingOf(rtu: NonNullable<ModbusBusConfig['rtu']>): Binding {
  if (rtu.path) return { path: rtu.path };
  const m = rtu.match!;
  return {
    match: {
      vendorId: m.vendor_id,
      productId: m.product_id,
      ...(m.serial_number ? { serialNumber: m.serial_number } : {}),
    },
  };
}

/** Every configured bus with its transport and scheduler, and one poller per device on it. */
export class ModbusConnector extends EventEmitter<ModbusConnectorEvents> {
  readonly buses = new Map<string, ModbusBus>();
  readonly pollers = new Map<string, DevicePoller>();

  constructor(section: ModbusSection, deps: ModbusConnectorDeps) {
    super();
    for (const cfg of section.buses) {
      const transport = this.transportFor(cfg, section, deps);
      const bitsPerChar = cfg.rtu
        ? 1 + cfg.rtu.data_bits + (cfg.rtu.parity === 'none' ? 0 : 1) + cfg.rtu.stop_bits
        : 0;
      const gapMs = cfg.gap_ms ?? (cfg.rtu ? interFrameGapMs(cfg.rtu.baud, bitsPerChar) : 0);
      const bus = new ModbusBus(
        cfg.id,
        transport,
        { timeoutMs: cfg.timeout_ms, retries: cfg.retries, gapMs },
        deps.clock,
      );
      transport.on('state', (online, detail) => this.emit('link', cfg.id, online, detail));
      this.buses.set(cfg.id, bus);
    }
    const perBus = new Map<string, number>();
    for (const d of section.devices) {
      const bus = this.buses.get(d.bus)!;
      const model = MODBUS_MODELS.get(d.model)!;
      const onBus = section.devices.filter((x) => x.bus === d.bus).length;
      const index = perBus.get(d.bus) ?? 0;
      perBus.set(d.bus, index + 1);
      const intervalMs = d.interval_s * 1_000;
      const poller = new DevicePoller(
        { id: d.id, slave: d.slave, model, intervalMs, unit: d.unit ?? d.id },
        bus,
        deps.clock,
        {
          offlineAfterFailures: section.offline_after_failures,
          backoffMaxMs: section.backoff_max_s * 1_000,
          firstDelayMs: Math.floor((index / onBus) * Math.min(intervalMs, 5_000)),
        },
        {
          sample: (body) => this.emit('sample', d.id, body),
          failure: (failure, detail) => this.emit('failure', d.id, failure, detail),
          online: (online, reason) => this.emit('online', d.id, online, reason),
        },
      );
      this.pollers.set(d.id, poller);
    }
  }

  private transportFor(
    cfg: ModbusBusConfig,
    section: ModbusSection,
    deps: ModbusConnectorDeps,
  ): ModbusTransport {
    const backoff = {
      backoffInitialMs: section.reconnect_initial_ms,
      backoffMaxMs: section.reconnect_max_ms,
    };
    if (cfg.tcp)
      return new TcpTransport(
        {
          host: cfg.tcp.host,
          port: cfg.tcp.port,
          connectTimeoutMs: Math.max(1_000, cfg.timeout_ms),
          ...backoff,
        },
        deps.clock,
      );
    const rtu = cfg.rtu!;
    return new RtuTransport(
      {
        id: cfg.id,
        binding: bindingOf(rtu),
        line: { baud: rtu.baud, parity: rtu.parity, dataBits: rtu.data_bits, stopBits: rtu.stop_bits },
        ...backoff,
      },
      {
        clock: deps.clock,
        logger: deps.logger.child({ bus: cfg.id }),
        lister: deps.lister,
        ...(deps.opener ? { opener: deps.opener(cfg) } : {}),
      },
    );
  }

  start(): void {
    for (const bus of this.buses.values()) bus.transport.start();
    for (const poller of this.pollers.values()) poller.start();
  }

  async stop(): Promise<void> {
    for (const poller of this.pollers.values()) poller.stop();
    for (const bus of this.buses.values()) bus.stop();
    await Promise.all([...this.buses.values()].map((b) => b.transport.stop()));
  }

  /** Range-checked setpoint write, queued ahead of polls on the device's bus. */
  async writeSetpoint(deviceId: string, name: string, value: unknown): Promise<WritePlan> {
    const poller = this.pollers.get(deviceId);
    if (!poller) throw new StoregateError('SG_DEVICE_UNKNOWN', `no Modbus device ${deviceId}`);
    const { slave, model } = poller.device;
    const plan = planSetpointWrite(model, name, value);
    await poller.bus.request<unknown>(
      slave,
      (c): Promise<unknown> =>
        plan.fn === 5
          ? c.writeCoil(plan.address, plan.words[0] === 1)
          : plan.fn === 6
            ? c.writeRegister(plan.address, plan.words[0]!)
            : c.writeRegisters(plan.address, plan.words),
      {
        first: true,
        onAttemptFailed: (failure, err) =>
          this.emit(
            'failure',
            deviceId,
            failure,
            `write ${name}: ${(err as Error | null)?.message ?? failure}`,
          ),
      },
    );
    return plan;
  }
}
