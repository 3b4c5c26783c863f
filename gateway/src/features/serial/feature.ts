import { SerialDeviceSet } from '../../../../firmware-bridge/src/serial-devices.js';
import type { PortOpener } from '../../../../firmware-bridge/src/transport/port.js';
import { serialPortOpener } from '../../../../firmware-bridge/src/transport/port.js';
import { type PortLister, sysfsPortLister } from '../../../../firmware-bridge/src/transport/port-lister.js';
import { intrinsicQuality } from '../../../../shared/src/devices/codec.js';
import { readingSpecs } from '../../../../shared/src/devices/tables.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { Quality, Reading, ReadingBody } from '../../../../shared/src/readings.js';
import type { Feature } from '../../ports/feature.js';
import type { GatewayContext } from '../context.js';
import { serialMetrics } from './metrics.js';

export interface SerialConnectorDeps {
  opener?: PortOpener;
  lister?: PortLister;
}

/**
 * Serial devices inside the gateway: each configured device is supervised (bind by stable identity, reopen
 * with backoff, re-identify) and its decoded messages become normalized Readings in the pipeline, exactly
 * like MQTT devices. A device that goes away is marked offline; the gateway keeps running.
 */
export class SerialConnectorFeature implements Feature {
  readonly name = 'serial';
  readonly devices: SerialDeviceSet;
  private readonly log: Logger;
  private readonly throttle;
  private readonly metrics;
  private readonly lastTouch = new Map<string, number>();

  constructor(
    private readonly ctx: GatewayContext,
    deps: SerialConnectorDeps = {},
  ) {
    this.log = ctx.logger.child({ mod: 'serial' });
    this.throttle = createLogThrottle({ now: () => ctx.clock.now() });
    this.metrics = serialMetrics(ctx.metrics);
    this.devices = new SerialDeviceSet(ctx.config.serial, {
      opener: deps.opener ?? serialPortOpener,
      lister: deps.lister ?? sysfsPortLister(),
      clock: ctx.clock,
      logger: this.log,
    });
    this.devices.on('reading', (config, r) => {
      const receivedAt = ctx.clock.now();
      const reading = {
        ...r.body,
        deviceId: config.id,
        deviceTime: r.deviceTime,
        receivedAt,
        quality: serialReadingQuality(r.quality, r.body),
        source: 'serial',
      } as Reading;
      this.accept(config.id, reading, r.body.type === 'device.status' ? r.body.firmware : undefined);
    });
    this.devices.on('state', (config, state) => {
      const online = state === 'online';
      ctx.deviceStats.connection(config.id, online);
      this.metrics.online.labels(config.id).set(online ? 1 : 0);
      if (state === 'offline') this.metrics.reconnects.labels(config.id).inc();
    });
    this.devices.on('online', (config, identity) => {
      if (identity.deviceId && identity.deviceId !== config.id) {
        // readings keep the configured id; the mismatch usually means a swapped cable or a reflashed board
        this.log.warn(
          { device: config.id, reported: identity.deviceId },
          'serial device reports another id in hello',
        );
      }
      if (identity.firmware) ctx.registry.touch(config.id, ctx.clock.now(), identity.firmware);
    });
    this.devices.on('reject', (config, reason, detail) => {
      ctx.deviceStats.rejected(config.id, reason);
      this.metrics.rejected.labels(config.id, reason).inc();
      const gate = this.throttle.allow(`${config.id}:${reason}`);
      if (gate.log)
        this.log.warn(
          { device: config.id, reason, detail, suppressed: gate.suppressed },
          'serial input rejected',
        );
    });
  }

  private accept(id: string, reading: Reading, firmware: string | undefined): void {
    const at = reading.receivedAt;
    // touch is batched by the registry anyway; once a second per device keeps the hot path cheap
    if (firmware !== undefined || at - (this.lastTouch.get(id) ?? 0) >= 1_000) {
      this.lastTouch.set(id, at);
      this.ctx.registry.touch(id, at, firmware);
    }
    this.ctx.deviceStats.accepted(id, at);
    this.metrics.readings.labels(id).inc();
    this.ctx.pipeline.ingest(reading).catch((err: unknown) => {
      const gate = this.throttle.allow(`${id}:ingest`);
      if (gate.log)
        this.log.error({ device: id, err, suppressed: gate.suppressed }, 'serial reading not ingested');
    });
  }

  async start(): Promise<void> {
    if (this.ctx.config.serial.devices.length === 0) return;
    this.devices.start();
    this.log.info({ devices: this.ctx.config.serial.devices.map((d) => d.id) }, 'serial connector started');
  }

  async stop(): Promise<void> {
    await this.devices.stop();
  }
}

const QUALITY_RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

/**
 * The worse of what the driver says and the definition's own rule (a scale at over/under capacity is bad),
 * so a serial reading gets the same quality as the same reading over MQTT.
 */
export function serialReadingQuality(driver: Quality, body: ReadingBody): Quality {
  const spec = readingSpecs.get(body.type)?.spec;
  const rule = spec ? intrinsicQuality(spec, body) : 'good';
  return QUALITY_RANK[driver] >= QUALITY_RANK[rule] ? driver : rule;
}
