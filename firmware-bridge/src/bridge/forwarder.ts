import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../../../shared/src/device-contract.js';
import { toDevicePublication } from '../../../shared/src/devices/codec.js';
import { createLogThrottle, type Logger } from '../../../shared/src/logger.js';
import { MUST_DELIVER_READINGS } from '../../../shared/src/readings.js';
import type { SerialDeviceSet } from '../serial-devices.js';
import type { BridgeConfig } from './config.js';

export interface ForwarderStats {
  published: number;
  dropped: Record<string, number>;
}

/**
 * Serial readings → MQTT with the device contract, one MQTT connection per serial device (username = device
 * id, password = its secret), so the gateway sees exactly what a native MQTT device would send. Must-deliver
 * readings go QoS 1 and are queued while the broker is away (bounded by max_queued); shelf samples and
 * status are QoS 0 and dropped (counted) while disconnected, as stale samples are worthless.
 */
/** MQTT 3.1.1 CONNACK return code 4, "bad user name or password". */
const CONNACK_BAD_CREDENTIALS = 4;

export class MqttForwarder {
  readonly stats: ForwarderStats = { published: 0, dropped: {} };
  private readonly clients = new Map<string, MqttClient>();
  private readonly pending = new Map<string, number>();
  private readonly throttle = createLogThrottle();

  constructor(
    private readonly config: BridgeConfig,
    private readonly devices: SerialDeviceSet,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const ca = this.config.mqtt.ca_file ? readFileSync(this.config.mqtt.ca_file) : undefined;
    for (const d of this.config.serial.devices) {
      const client = mqtt.connect(this.config.mqtt.url, {
        clientId: `${d.id}`,
        username: d.id,
        password: this.config.secrets[d.id]!,
        clean: true,
        reconnectPeriod: 2_000,
        // All of a bridge's devices connect from one address at once: the broker answers "server unavailable"
        // (CONNACK 3) to credential checks beyond its per-address limit, meaning "retry later". MQTT.js 5
        // gives up on any CONNACK error unless told otherwise, which left such a device offline for good.
        reconnectOnConnackError: true,
        queueQoSZero: false,
        ...(ca ? { ca } : {}),
      });
      client.on('connect', () => this.logger.info({ device: d.id }, 'bridge device connected to broker'));
      client.on('error', (err) => {
        // A wrong secret does not heal by retrying, and every retry counts against the address's failure
        // limit, which would lock out the bridge's other devices: stop this one and say what to fix.
        if ((err as { code?: unknown }).code === CONNACK_BAD_CREDENTIALS) {
          this.logger.error(
            { device: d.id, code: 'SG_UNAUTHENTICATED' },
            'broker refused the device secret: stopped this device; fix its secret in the bridge config and restart the bridge',
          );
          client.end(true);
          return;
        }
        this.warn(`${d.id}:mqtt`, { device: d.id, err: err.message }, 'broker connection error');
      });
      this.clients.set(d.id, client);
      this.pending.set(d.id, 0);
    }
    this.devices.on('reading', (config, r) => {
      const client = this.clients.get(config.id);
      if (!client) return;
      const pub = toDevicePublication(r.body, r.deviceTime);
      if (typeof pub === 'string') return this.drop(config.id, 'unmappable', pub);
      const mustDeliver = MUST_DELIVER_READINGS.has(r.body.type);
      if (!mustDeliver && !client.connected)
        return this.drop(config.id, 'offline_telemetry', 'broker unreachable');
      const queued = this.pending.get(config.id)!;
      if (queued >= this.config.mqtt.max_queued)
        return this.drop(config.id, 'queue_full', `${queued} unacknowledged`);
      this.pending.set(config.id, queued + 1);
      client.publish(
        topics.data(config.id, pub.suffix),
        JSON.stringify(pub.payload),
        { qos: mustDeliver ? 1 : 0 },
        (err) => {
          this.pending.set(config.id, this.pending.get(config.id)! - 1);
          if (err) this.drop(config.id, 'publish_failed', err.message);
          else this.stats.published++;
        },
      );
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.endAsync(false).catch(() => {})));
    this.clients.clear();
  }

  private drop(device: string, reason: string, detail: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.warn(`${device}:${reason}`, { device, reason, detail }, 'reading not forwarded');
  }

  private warn(key: string, obj: Record<string, unknown>, msg: string): void {
    const gate = this.throttle.allow(key);
    if (gate.log) this.logger.warn({ ...obj, suppressed: gate.suppressed }, msg);
  }
}
