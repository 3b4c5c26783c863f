import type {
  ClientSession,
  ClientSubscription,
  DataValue,
  OPCUACertificateManager,
  OPCUAClient,
} from 'node-opcua';
import type { Logger } from '../../../../shared/src/logger.js';
import type { OpcuaEndpointConfig, OpcuaPointConfig, OpcuaSection } from '../../config/sections/opcua.js';
import { type PlantSample, toPlantSample } from './data-value.js';
import { type MonitorResult, monitorPoints } from './monitored-points.js';
import { type ClientSettings, createOpcuaClient, settle, userIdentity } from './opcua-client.js';
import type { OpcuaErrorKind } from './opcua-metrics.js';

export { createCertificateManager } from './opcua-client.js';

const SUBSCRIPTION_KEEPALIVE_COUNT = 10;

export type EndpointState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface EndpointEvents {
  sample(point: OpcuaPointConfig, sample: PlantSample): void;
  state(state: EndpointState): void;
  /** Every failure, already counted by kind; `key` lets the caller throttle logs per endpoint and kind. */
  error(kind: OpcuaErrorKind, err: unknown, detail?: Record<string, unknown>): void;
  /** `created`: a new subscription (start or re-creation); false when only failed points were re-added. */
  subscribed(monitoredItems: number, failedPoints: ReadonlyMap<string, string>, created: boolean): void;
}

export interface EndpointOptions {
  endpoint: OpcuaEndpointConfig;
  settings: ClientSettings & Pick<OpcuaSection, 'stop_timeout_ms'>;
  certificateManager: OPCUACertificateManager;
  logger: Logger;
  events: EndpointEvents;
}

/**
 * One OPC UA endpoint: client → session → subscription → one monitored item per point.
 * node-opcua reconnects the transport itself (connectionStrategy, capped backoff) and tries to repair the
 * session; we do not rely on that repair (node-opcua #1059): after every `connection_reestablished`, session
 * loss or subscription termination the subscription is dropped and re-created from config.
 * Network timers are real timers on purpose: they guard I/O, not domain time.
 */
export class OpcuaEndpointConnection {
  private readonly client: OPCUAClient;
  private session: ClientSession | null = null;
  private subscription: ClientSubscription | null = null;
  /** Bumped on every rebuild so notifications from a dropped subscription are ignored. */
  private generation = 0;
  private stopping = false;
  private rebuildChain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private pointRetryTimer: NodeJS.Timeout | null = null;
  private accepted = 0;
  private transportDown = true;
  private lastHeard = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private connecting = false;
  private retryDelayMs: number;
  private readonly last = new Map<string, string>();
  state: EndpointState = 'connecting';
  stateSince = Date.now();
  failedPoints: ReadonlyMap<string, string> = new Map();

  constructor(private readonly o: EndpointOptions) {
    const ep = o.endpoint;
    this.retryDelayMs = o.settings.reconnect.initial_delay_ms;
    this.client = createOpcuaClient(ep, o.settings, o.certificateManager);
    this.client.on('backoff', (attempt: number, delayMs: number) =>
      o.events.error('connect', new Error(`${ep.url} unreachable, retry ${attempt + 1} in ${delayMs} ms`)),
    );
    this.client.on('connection_lost', () => {
      this.transportDown = true;
      this.setState('reconnecting');
    });
    this.client.on('connection_reestablished', () => {
      this.transportDown = false;
      this.scheduleRebuild('connection re-established', 0);
    });
    // node-opcua gives up repairing only on internal errors; then we start over with a fresh connect().
    this.client.on('close', (err?: Error | null) => {
      if (this.stopping || this.connecting || !err) return;
      this.transportDown = true;
      this.setState('reconnecting');
      this.o.events.error('connect', err);
      this.scheduleConnect();
    });
  }

  /** Starts connecting in the background: an unreachable endpoint never blocks or fails the gateway start. */
  start(): void {
    void this.connect();
    // A subscription sends data or a keep-alive every publishing interval × max keep-alive count; three
    // missed keep-alives mean it is dead on the server even if nothing told us (silent #1059-style loss).
    const silentMs = 3 * SUBSCRIPTION_KEEPALIVE_COUNT * this.o.endpoint.publishing_interval_ms;
    this.watchdog = setInterval(
      () => {
        if (this.state !== 'connected' || this.transportDown || Date.now() - this.lastHeard < silentMs)
          return;
        this.lastHeard = Date.now();
        this.o.events.error('subscription', new Error(`no notification or keep-alive for ${silentMs} ms`));
        this.scheduleRebuild('subscription silent', 0);
      },
      Math.min(silentMs, 10_000),
    );
    this.watchdog.unref();
  }

  private async connect(): Promise<void> {
    this.connecting = true;
    let failure: unknown = null;
    try {
      await this.client.connect(this.o.endpoint.url);
    } catch (err) {
      failure = err ?? new Error('connect failed');
    } finally {
      this.connecting = false;
    }
    if (this.stopping) return;
    if (failure !== null) {
      this.o.events.error('connect', failure);
      this.scheduleConnect();
      return;
    }
    this.transportDown = false;
    this.scheduleRebuild('connected', 0);
  }

  private scheduleConnect(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      void this.connect();
    }, this.nextDelay());
  }

  private nextDelay(): number {
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.o.settings.reconnect.max_delay_ms);
    return delay;
  }

  private scheduleRebuild(reason: string, delayMs: number): void {
    if (this.stopping) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.enqueue(() => this.rebuild(reason));
    }, delayMs);
  }

  /** Subscription work runs one step at a time; a step that throws is reported and never blocks the next. */
  private enqueue(step: () => Promise<void>): void {
    this.rebuildChain = this.rebuildChain
      .then(step)
      .catch((err: unknown) => this.o.events.error('subscription', err));
  }

  /** Drop the current subscription (and a dead session) and build them again from config. Serialized. */
  private async rebuild(reason: string): Promise<void> {
    // While the transport is down node-opcua is reconnecting; `connection_reestablished` triggers the rebuild.
    if (this.stopping || this.transportDown) return;
    const generation = ++this.generation;
    const old = this.subscription;
    this.subscription = null;
    if (old) await settle(old.terminate(), this.o.settings.request_timeout_ms);
    try {
      if (!this.session) this.session = await this.openSession();
      const session = this.session;
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: this.o.endpoint.publishing_interval_ms,
        requestedMaxKeepAliveCount: SUBSCRIPTION_KEEPALIVE_COUNT,
        requestedLifetimeCount: 60,
        maxNotificationsPerPublish: 1000,
        publishingEnabled: true,
        priority: 1,
      });
      if (this.stopping || generation !== this.generation) {
        await settle(subscription.terminate(), this.o.settings.request_timeout_ms);
        return;
      }
      this.subscription = subscription;
      this.lastHeard = Date.now();
      subscription.on('keepalive', () => {
        if (this.subscription === subscription) this.lastHeard = Date.now();
      });
      subscription.on('terminated', () => {
        if (this.subscription === subscription)
          this.scheduleRebuild('subscription terminated', this.nextDelay());
      });
      const results = await monitorPoints(
        subscription,
        this.o.endpoint.points,
        (point, dv) => this.onChange(generation, point, dv),
        this.o.settings.request_timeout_ms,
      );
      // The link may have dropped while items were being created; the next rebuild starts over.
      if (this.transportDown || generation !== this.generation || this.stopping) return;
      this.accepted = results.filter((r) => r.error === null).length;
      this.recordFailures(results);
      this.retryDelayMs = this.o.settings.reconnect.initial_delay_ms;
      this.o.logger.info(
        { endpoint: this.o.endpoint.id, reason, failed: this.failedPoints.size },
        'opcua subscription created',
      );
      this.o.events.subscribed(this.accepted, this.failedPoints, true);
      this.setState('connected');
      this.scheduleFailedRetry(generation);
    } catch (err) {
      if (this.stopping) return;
      this.o.events.error(this.session ? 'subscription' : 'session', err, { reason });
      if (this.transportDown) return;
      this.setState('reconnecting');
      // The session may be the broken part (a failed repair): start the next attempt from a fresh one.
      const session = this.session;
      this.session = null;
      if (session) await settle(session.close(true), this.o.settings.request_timeout_ms);
      this.scheduleRebuild(`retry after: ${(err as Error).message}`, this.nextDelay());
    }
  }

  private recordFailures(results: readonly MonitorResult[]): void {
    const failed = new Map<string, string>();
    for (const r of results) {
      if (r.error === null) continue;
      failed.set(r.point.name, r.error);
      this.o.events.error('monitor', new Error(r.error), { point: r.point.name, node_id: r.point.node_id });
    }
    this.failedPoints = failed;
  }

  /** A node missing now may appear after a PLC program download: re-add only the failed points, slowly. */
  private scheduleFailedRetry(generation: number): void {
    if (this.failedPoints.size === 0 || this.stopping) return;
    if (this.pointRetryTimer) clearTimeout(this.pointRetryTimer);
    this.pointRetryTimer = setTimeout(() => {
      this.pointRetryTimer = null;
      this.enqueue(async () => {
        const subscription = this.subscription;
        if (!subscription || generation !== this.generation || this.stopping) return;
        if (this.state !== 'connected') return this.scheduleFailedRetry(generation);
        const points = this.o.endpoint.points.filter((p) => this.failedPoints.has(p.name));
        const results = await monitorPoints(
          subscription,
          points,
          (point, dv) => this.onChange(generation, point, dv),
          this.o.settings.request_timeout_ms,
        );
        if (generation !== this.generation) return;
        this.accepted += results.filter((r) => r.error === null).length;
        this.recordFailures(results);
        this.o.events.subscribed(this.accepted, this.failedPoints, false);
        this.scheduleFailedRetry(generation);
      });
    }, this.o.settings.reconnect.max_delay_ms);
  }

  private async openSession(): Promise<ClientSession> {
    const session = await this.client.createSession(userIdentity(this.o.endpoint));
    // node-opcua re-creates a session the server dropped on the next request (our keep-alive read);
    // its own subscription repair is not relied on (node-opcua #1059).
    session.on('session_restored', () => {
      if (this.session === session) this.scheduleRebuild('session restored', 0);
    });
    session.on('session_closed', () => {
      if (this.session !== session) return;
      this.session = null;
      if (this.stopping) return;
      this.setState('reconnecting');
      this.scheduleRebuild('session closed', this.nextDelay());
    });
    return session;
  }

  private onChange(generation: number, point: OpcuaPointConfig, dv: DataValue): void {
    if (generation !== this.generation || this.stopping) return;
    this.lastHeard = Date.now();
    const sample = toPlantSample(dv);
    // A re-created monitored item first re-sends the current value: drop it if it is the very notification
    // we already delivered (same source time, status and value), so a reconnect does not duplicate readings.
    const key = `${sample.deviceTime}|${sample.status}|${String(sample.value)}`;
    if (this.last.get(point.name) === key) return;
    this.last.set(point.name, key);
    this.o.events.sample(point, sample);
  }

  /** True while connected and the subscription was heard from (data or keep-alive) within its keep-alive window. */
  isAlive(now = Date.now()): boolean {
    const windowMs =
      SUBSCRIPTION_KEEPALIVE_COUNT * this.o.endpoint.publishing_interval_ms +
      this.o.settings.request_timeout_ms;
    return this.state === 'connected' && !this.transportDown && now - this.lastHeard <= windowMs;
  }

  private setState(state: EndpointState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateSince = Date.now();
    this.o.events.state(state);
  }

  /** Close subscription, session and client; bounded by `stop_timeout_ms` whatever the server does. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.pointRetryTimer) clearTimeout(this.pointRetryTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    const timeout = this.o.settings.stop_timeout_ms;
    const work = (async () => {
      const sub = this.subscription;
      this.subscription = null;
      if (sub) await settle(sub.terminate(), timeout);
      const session = this.session;
      this.session = null;
      if (session) await settle(session.close(true), timeout);
      await this.client.disconnect();
    })();
    const inTime = await settle(work, timeout);
    if (!inTime) this.o.events.error('stop', new Error(`did not close within ${timeout} ms`));
    this.setState('stopped');
  }
}
