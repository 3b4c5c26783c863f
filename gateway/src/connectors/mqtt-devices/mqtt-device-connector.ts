import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import { MUST_DELIVER_READINGS } from '../../../../shared/src/readings.js';
import type { ConnectorDeps } from '../../ports/connector-deps.js';
import { deviceMessageMetrics } from './metrics.js';
import { parseDeviceMessage } from './parse-device-message.js';
import { RecentKeys } from './recent-keys.js';

/**
 * How long and how many device `msg_id`s are remembered per device (in memory: a resend across a gateway
 * restart is caught by the cloud, through the event id derived from the msg_id).
 */
export const MSG_ID_MEMORY = { perOwner: 128, maxOwners: 10_000, maxAgeMs: 300_000 } as const;

const SETTLED: Promise<void> = Promise.resolve();

/** What made a publish a resend: the broker's session and packet id, or the device's own `msg_id`. */
export type DuplicateKey = 'packet_id' | 'msg_id';

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
  { accepted: true; durable?: Promise<void>; duplicate?: DuplicateKey } | { accepted: false; reason: string };

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
  /** The ingest promise of each recent `msg_id`: a resend waits for the original instead of being ingested. */
  private readonly recentMsgIds = new RecentKeys<Promise<void>>(MSG_ID_MEMORY);

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
    const mustAck = msg.qos > 0 && MUST_DELIVER_READINGS.has(reading.type);
    const msgId = reading.msgId;
    if (msgId !== undefined) {
      const original = this.recentMsgIds.get(msg.deviceId, msgId, receivedAt);
      if (original) {
        this.duplicate(msg.deviceId, 'msg_id');
        return mustAck
          ? { accepted: true, durable: original, duplicate: 'msg_id' }
          : { accepted: true, duplicate: 'msg_id' };
      }
    }
    this.ctx.registry.touch(msg.deviceId, receivedAt, result.firmware);
    this.ctx.deviceStats.accepted(msg.deviceId, receivedAt);
    this.pendingAccepted.set(msg.deviceId, (this.pendingAccepted.get(msg.deviceId) ?? 0) + 1);
    const ingested = this.ctx.pipeline.ingest(reading);
    if (msgId !== undefined) {
      this.recentMsgIds.set(msg.deviceId, msgId, ingested, receivedAt);
      // Settled: keep a shared resolved promise, not this one. Not stored after all: a resend is ingested again.
      ingested.then(
        () => this.recentMsgIds.replaceIf(msg.deviceId, msgId, ingested, SETTLED),
        () => this.recentMsgIds.deleteIf(msg.deviceId, msgId, ingested),
      );
    }
    // The broker holds the PUBACK on `durable` and reports a failure through ingestFailed().
    if (mustAck) return { accepted: true, durable: ingested };
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

  /** A resend that was acknowledged without being ingested again. */
  duplicate(deviceId: string, key: DuplicateKey): void {
    this.metrics.duplicates.labels(deviceId, key).inc();
  }

  /** Entries held by the msg_id memory (bounded by MSG_ID_MEMORY). */
  rememberedMsgIds(): number {
    return this.recentMsgIds.size();
  }

  ingestFailed(deviceId: string, err: unknown): void {
    this.metrics.ingestFailed.labels(deviceId).inc();
    const gate = this.throttle.allow(`${deviceId}:ingest`);
    if (gate.log)
      this.log.error({ err, device: deviceId, suppressed: gate.suppressed }, 'reading ingest failed');
  }
}
