import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import { MUST_DELIVER_READINGS } from '../../../../shared/src/readings.js';
import type { ConnectorDeps } from '../../ports/connector-deps.js';
import { deviceMessageMetrics } from './metrics.js';
import { parseDeviceMessage } from './parse-device-message.js';

export interface DevicePublish {
  deviceId: string;
  kind: DeviceKind;
  /** Topic after `devices/{id}/`. */
  suffix: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
}

export type PublishOutcome =
  /** Accepted; `durable` is set when the publisher must not be acknowledged before it resolves. */
  { accepted: true; durable?: Promise<void> } | { accepted: false; reason: string };

/**
 * Turns authenticated device publishes into Readings: validate against the device contract, normalize, note
 * the device as seen, and hand the reading to the pipeline. Rejections are counted per device and reason and
 * logged with throttling; nothing here throws into the broker.
 */
export class MqttDeviceConnector {
  private readonly metrics;
  private readonly log: Logger;
  private readonly throttle;
  private readonly pendingAccepted = new Map<string, number>();

  constructor(private readonly ctx: ConnectorDeps) {
    this.metrics = deviceMessageMetrics(ctx.metrics, this.pendingAccepted);
    this.log = ctx.logger.child({ mod: 'mqtt-devices' });
    this.throttle = createLogThrottle({ now: () => ctx.clock.now() });
  }

  handle(msg: DevicePublish): PublishOutcome {
    const receivedAt = this.ctx.clock.now();
    const result = parseDeviceMessage(
      { deviceId: msg.deviceId, kind: msg.kind, suffix: msg.suffix, receivedAt },
      msg.payload,
    );
    if (!result.ok) {
      this.reject(msg.deviceId, result.reason, result.detail, msg.suffix);
      return { accepted: false, reason: result.reason };
    }
    const reading = result.reading;
    this.ctx.registry.touch(msg.deviceId, receivedAt, result.firmware);
    this.ctx.deviceStats.accepted(msg.deviceId, receivedAt);
    this.pendingAccepted.set(msg.deviceId, (this.pendingAccepted.get(msg.deviceId) ?? 0) + 1);
    const ingested = this.ctx.pipeline.ingest(reading);
    // The broker holds the PUBACK on `durable` and reports a failure through ingestFailed().
    if (msg.qos > 0 && MUST_DELIVER_READINGS.has(reading.type)) return { accepted: true, durable: ingested };
    ingested.catch((err: unknown) => this.ingestFailed(msg.deviceId, err));
    return { accepted: true };
  }

  /** Count a rejection decided elsewhere (e.g. rate limit) the same way as a payload rejection. */
  reject(deviceId: string, reason: string, detail: string, suffix?: string): void {
    this.ctx.deviceStats.rejected(deviceId, reason);
    this.metrics.rejected.labels(deviceId, reason).inc();
    const gate = this.throttle.allow(`${deviceId}:${reason}`);
    if (gate.log) {
      this.log.warn(
        { device: deviceId, reason, detail, topic: suffix, suppressed: gate.suppressed },
        'device message rejected',
      );
    }
  }

  ingestFailed(deviceId: string, err: unknown): void {
    this.metrics.ingestFailed.labels(deviceId).inc();
    const gate = this.throttle.allow(`${deviceId}:ingest`);
    if (gate.log)
      this.log.error({ err, device: deviceId, suppressed: gate.suppressed }, 'reading ingest failed');
  }
}
