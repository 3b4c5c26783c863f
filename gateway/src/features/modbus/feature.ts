import type { PortOpener } from '../../../../firmware-bridge/src/transport/port.js';
import type { PortLister } from '../../../../firmware-bridge/src/transport/port-lister.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { ModbusBusConfig } from '../../config/sections/modbus.js';
import { ModbusConnector } from '../../connectors/modbus/modbus-connector.js';
import type { Feature } from '../../ports/feature.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { modbusMetrics } from './metrics.js';
import { registerModbusRoutes } from './routes.js';
import { connectorDeps, modbusReading } from './wiring.js';

export interface ModbusFeatureDeps {
  lister?: PortLister;
  opener?: (bus: ModbusBusConfig) => PortOpener;
}

/**
 * Refrigeration controllers and energy meters polled over Modbus RTU/TCP: each answered poll becomes a
 * `cold.sample` or `energy.meter` reading (source `modbus`) in the pipeline; failed attempts are counted per
 * device and reason and logged throttled; a slave that stops answering is marked offline.
 */
export class ModbusFeature implements Feature {
  readonly name = 'modbus';
  connector: ModbusConnector | null = null;
  private readonly log: Logger;
  private readonly scope: FeatureScope;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly deps: ModbusFeatureDeps = {},
  ) {
    this.log = ctx.logger.child({ mod: 'modbus' });
    this.scope = new FeatureScope(this.log);
  }

  async start(): Promise<void> {
    const section = this.ctx.config.modbus;
    if (section.devices.length === 0) return;
    const { ctx, scope } = this;
    const metrics = modbusMetrics(ctx.metrics, scope);
    const throttle = createLogThrottle({ now: () => ctx.clock.now() });
    const connector = new ModbusConnector(section, {
      ...connectorDeps(ctx, this.deps.lister),
      ...(this.deps.opener ? { opener: this.deps.opener } : {}),
    });
    this.connector = connector;
    scope.defer(() => {
      this.connector = null;
    });

    scope.listen(connector, 'sample', (id, body) => {
      const reading = modbusReading(id, body, ctx.clock.now());
      ctx.deviceStats.accepted(id, reading.receivedAt);
      metrics.samples.labels(id).inc();
      ctx.pipeline.ingest(reading).catch((err: unknown) => {
        const gate = throttle.allow(`${id}:ingest`);
        if (gate.log)
          this.log.error({ device: id, err, suppressed: gate.suppressed }, 'modbus reading not ingested');
      });
    });
    scope.listen(connector, 'failure', (id, reason, detail) => {
      metrics.errors.labels(id, reason).inc();
      ctx.deviceStats.rejected(id, reason);
      const gate = throttle.allow(`${id}:${reason}`);
      if (gate.log)
        this.log.warn({ device: id, reason, detail, suppressed: gate.suppressed }, 'modbus request failed');
    });
    scope.listen(connector, 'online', (id, online, reason) => {
      ctx.deviceStats.connection(id, online);
      metrics.online.labels(id).set(online ? 1 : 0);
      if (online) this.log.info({ device: id }, 'modbus device answering');
      else this.log.warn({ device: id, reason }, 'modbus device offline: no answer');
    });
    scope.listen(connector, 'link', (bus, up, detail) => {
      metrics.link.labels(bus).set(up ? 1 : 0);
      if (up) this.log.info({ bus, detail }, 'modbus link up');
      else this.log.warn({ bus, detail }, 'modbus link down');
    });
    for (const d of section.devices) metrics.online.labels(d.id).set(0);

    registerModbusRoutes(ctx.http, {
      connector,
      onWrite: (id, result, detail) => {
        metrics.writes.labels(id, result).inc();
        this.log.info({ device: id, result, ...detail }, 'modbus setpoint write');
      },
    });

    connector.start();
    scope.defer(() => connector.stop());
    this.log.info(
      { buses: section.buses.map((b) => b.id), devices: section.devices.length },
      'modbus connector started',
    );
  }

  /** Buses whose link is down (shown in /healthz); a dead slave is device health's business, not this. */
  health(): string | null {
    const down = [...(this.connector?.buses.values() ?? [])]
      .filter((b) => !b.transport.client())
      .map((b) => b.id);
    return down.length ? `modbus link down: ${down.join(', ')}` : null;
  }

  async stop(): Promise<void> {
    await this.scope.release();
  }
}
