import mqtt, { type MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import { Backoff } from '../../../../shared/src/backoff.js';
import { type Clock, sleep, type TimerHandle } from '../../../../shared/src/clock.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Feature } from '../../ports/feature.js';
import { BATCH_ENVELOPE_BYTES } from '../outbox/open-outbox.js';
import type { Outbox } from '../outbox/outbox.js';
import type { OutboxRow } from '../outbox/outbox-storage.js';
import {
  brokerUrls,
  type CloudConfig,
  type CloudTopics,
  cloudTopics,
  mqttOptions,
  statusPayload,
} from './cloud-options.js';
import type { CommandRegistry } from './commands.js';
import { ConnectAttempts } from './connect-attempts.js';
import { RateLimiter } from './rate-limiter.js';
import { UplinkStats } from './uplink-stats.js';

export interface UplinkDeps {
  config: Pick<LoadedConfig, 'store' | 'configFile'> & { cloud: CloudConfig };
  clock: Clock;
  logger: Logger;
  outbox: Outbox;
  commands: CommandRegistry;
  metrics?: Registry;
  random?: () => number;
}

/**
 * Store-and-forward to the cloud: drains the outbox over MQTT in batch messages, QoS 1, and deletes events
 * only after the PUBACK of the message that carried them. Reconnects itself with capped, jittered backoff;
 * on every (re)connect the unacknowledged backlog is re-read from the outbox and drains at once.
 */
export class Uplink implements Feature {
  readonly name = 'uplink';
  readonly stats: UplinkStats;
  readonly topics: CloudTopics;
  readonly attempts: ConnectAttempts;
  private readonly cloud: CloudConfig;
  private readonly log: Logger;
  private readonly throttle = createLogThrottle();
  private readonly backoff: Backoff;
  private readonly limiter: RateLimiter;
  private client: MqttClient | null = null;
  private generation = 0;
  /** Index into cloud.url's brokers of the one to connect to next. */
  private broker = 0;
  private connected = false;
  private stopping = false;
  private inflight = 0;
  private pumpTimer: TimerHandle | null = null;
  private unsubscribeCommit: (() => void) | null = null;
  /** When this process last noticed the link was lost (told to the cloud in the next birth message). */
  private lostAt: number | null = null;

  constructor(private readonly deps: UplinkDeps) {
    this.cloud = deps.config.cloud;
    this.topics = cloudTopics(deps.config);
    this.log = deps.logger.child({ mod: 'uplink' });
    this.backoff = new Backoff(deps.clock, {
      initialMs: this.cloud.reconnect_min_ms,
      maxMs: this.cloud.reconnect_max_ms,
      jitter: 'equal',
      ...(deps.random ? { random: deps.random } : {}),
    });
    const rate = this.cloud.max_publishes_per_second;
    this.limiter = new RateLimiter(rate, Math.max(1, Math.ceil(rate / 10)), () => deps.clock.now());
    this.stats = new UplinkStats(deps.clock, deps.metrics, () => this.inflight);
    this.attempts = new ConnectAttempts(deps.clock, deps.metrics);
    // Fail at start, with the config path in the message, on unreadable TLS files or a bad cert/key pair.
    mqttOptions(deps.config, this.topics, deps.clock.now());
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** null, or why the cloud broker keeps turning the gateway away (shown in /healthz). */
  health(): string | null {
    return this.attempts.health();
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.stats.wentOffline();
    this.unsubscribeCommit = this.deps.outbox.onCommit(() => this.pump());
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribeCommit?.();
    this.backoff.cancel();
    if (this.pumpTimer) this.deps.clock.clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    const client = this.client;
    this.client = null;
    this.generation++;
    if (client && this.connected) {
      // A clean stop says so itself; the last will only speaks for a crash or a lost link.
      const payload = statusPayload('offline', this.deps.config.store.id, this.deps.clock.now(), 'stopped');
      await Promise.race([
        client.publishAsync(this.topics.status, payload, { qos: 1, retain: true }).catch(() => undefined),
        sleep(this.deps.clock, 2_000),
      ]);
    }
    this.connected = false;
    this.inflight = 0;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  private connect(): void {
    if (this.stopping) return;
    const gen = ++this.generation;
    let client: MqttClient;
    try {
      client = mqtt.connect(
        this.brokerUrl(),
        mqttOptions(this.deps.config, this.topics, this.deps.clock.now()),
      );
    } catch (err) {
      const { log, suppressed } = this.throttle.allow('setup');
      if (log) this.log.error({ err, suppressed }, 'cloud connection could not be set up');
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    const attempt = this.attempts.begin();
    client.on('connect', () => {
      attempt.connected();
      if (gen === this.generation) this.onConnected(client, gen);
    });
    client.on(
      'message',
      (topic, payload) => gen === this.generation && this.onMessage(client, topic, payload),
    );
    client.on('error', (err) => {
      attempt.error(err);
      const { log, suppressed } = this.throttle.allow(`error:${err.message}`);
      if (log) this.log.warn({ err: err.message, suppressed }, 'cloud connection error');
    });
    client.on('close', () => {
      const failed = attempt.closed();
      if (failed) {
        const { log, suppressed } = this.throttle.allow(`connect:${failed.reason}`);
        if (log)
          this.log.warn(
            { reason: failed.reason, detail: failed.detail, attempts: this.attempts.consecutive, suppressed },
            'cloud connection ended before CONNACK',
          );
      }
      // The next attempt goes to the next broker of cloud.url (a failed attempt or a lost link alike).
      if (gen === this.generation) this.failOver(failed ? failed.reason : 'link lost');
      if (gen === this.generation) this.onLinkLost('connection closed');
    });
  }

  /** The broker this connection attempt uses. */
  private brokerUrl(): string {
    const urls = brokerUrls(this.cloud);
    return urls[this.broker % urls.length]!;
  }

  private failOver(why: string): void {
    const urls = brokerUrls(this.cloud);
    if (urls.length < 2) return;
    const from = this.brokerUrl();
    this.broker = (this.broker + 1) % urls.length;
    this.log.warn({ from, to: this.brokerUrl(), why }, 'cloud: trying the next broker');
  }

  private onConnected(client: MqttClient, gen: number): void {
    this.connected = true;
    this.backoff.reset();
    this.stats.cameOnline();
    this.log.info({ url: this.brokerUrl(), backlog: this.backlog() }, 'cloud connected; draining backlog');
    const birth = statusPayload('online', this.deps.config.store.id, this.deps.clock.now(), undefined, {
      ...(this.lostAt !== null ? { offline_since: this.lostAt } : {}),
    });
    client.publish(this.topics.status, birth, { qos: 1, retain: true }, () => {});
    client.subscribe(this.topics.commandFilter, { qos: 1 }, (err) => {
      if (err && gen === this.generation) this.log.error({ err }, 'cannot subscribe to cloud commands');
    });
    this.pump();
  }

  private onLinkLost(why: string): void {
    const client = this.client;
    this.client = null;
    this.generation++;
    if (this.connected) {
      this.lostAt = this.deps.clock.now();
      this.log.warn({ why, inflight: this.inflight }, 'cloud link lost; will resend unacknowledged');
    }
    this.connected = false;
    this.inflight = 0;
    // Everything handed out and not PUBACKed is read again from the outbox on the next connection.
    this.deps.outbox.rewind();
    this.stats.wentOffline();
    if (client) {
      client.removeAllListeners('close');
      client.end(true);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.backoff.scheduled) return;
    this.backoff.schedule(() => this.connect());
    this.stats.reconnectScheduled();
  }

  /** Send as much as the in-flight window and the publish rate allow. */
  private pump(): void {
    try {
      this.pumpOnce();
    } catch (err) {
      // E.g. the outbox database is momentarily unreadable: retry soon rather than stall or crash.
      const { log, suppressed } = this.throttle.allow('pump');
      if (log) this.log.error({ err, suppressed }, 'uplink could not read the outbox; retrying');
      if (!this.pumpTimer && !this.stopping) {
        this.pumpTimer = this.deps.clock.setTimeout(() => {
          this.pumpTimer = null;
          this.pump();
        }, 1_000);
      }
    }
  }

  private pumpOnce(): void {
    const client = this.client;
    if (!this.connected || !client || this.pumpTimer) return;
    const maxItemBytes = this.cloud.max_message_bytes - BATCH_ENVELOPE_BYTES;
    while (this.inflight < this.cloud.max_inflight_messages) {
      const wait = this.limiter.waitMs();
      if (wait > 0) {
        this.pumpTimer = this.deps.clock.setTimeout(() => {
          this.pumpTimer = null;
          this.pump();
        }, wait);
        return;
      }
      const rows = this.deps.outbox.next(this.cloud.max_events_per_message, maxItemBytes);
      if (rows.length === 0) return;
      this.limiter.tryTake();
      this.publish(client, rows);
    }
  }

  private publish(client: MqttClient, rows: OutboxRow[]): void {
    const gen = this.generation;
    const items = rows.map((r) => r.item).join(',');
    const payload = `{"store":${JSON.stringify(this.deps.config.store.id)},"sent_at":${this.deps.clock.now()},"batch":[${items}]}`;
    this.inflight++;
    client.publish(this.topics.events, payload, { qos: 1 }, (err) => {
      // A callback from a connection we already gave up on: its rows were rewound and will be resent.
      if (gen !== this.generation) return;
      this.inflight--;
      if (err) {
        this.log.warn({ err: err.message }, 'batch publish failed');
        this.onLinkLost('publish failed');
        return;
      }
      this.deps.outbox.ack(rows);
      this.stats.sent(rows.length, Buffer.byteLength(payload));
      this.pump();
    });
  }

  private onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    if (!topic.startsWith(this.topics.commandPrefix)) return;
    // Brokers that map `.` to `/` (RabbitMQ's MQTT plugin) deliver `cmd/device.list` as `cmd/device/list`:
    // both forms name the same command; the answer goes back in the form the request arrived in.
    const asReceived = topic.slice(this.topics.commandPrefix.length);
    const name = asReceived.replaceAll('/', '.');
    void this.deps.commands
      .execute(name, payload, (err) => this.log.error({ err, command: name }, 'command handler failed'))
      .then((response) => {
        this.stats.command(this.deps.commands.names().includes(name) ? name : 'unknown', response.status);
        if (!this.connected) return;
        client.publish(
          `${this.topics.responsePrefix}${asReceived}`,
          JSON.stringify(response),
          { qos: 1 },
          () => {},
        );
      });
  }

  private backlog(): number {
    const t = this.deps.outbox.totals();
    return t.must_deliver.count + t.telemetry.count;
  }
}
