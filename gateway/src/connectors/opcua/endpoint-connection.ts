import type { ClientSession, ClientSubscription, DataValue, OPCUAClient } from 'node-opcua';
import { Backoff } from '../../../../shared/src/backoff.js';
import type { TimerHandle } from '../../../../shared/src/clock.js';
import type { OpcuaPointConfig } from '../../config/sections/opcua.js';
import { watchClient } from './client-events.js';
import { toPlantSample } from './data-value.js';
import type { EndpointOptions, EndpointState } from './endpoint-events.js';
import { type MonitorResult, monitorPoints } from './monitored-points.js';
import { createOpcuaClient, settle, userIdentity, within } from './opcua-client.js';
import type { RebuildReason } from './opcua-metrics.js';
import { RequestRateLimit } from './request-rate.js';
import {
  type BuildContext,
  createSubscription,
  resolveTargets,
  SUBSCRIPTION_KEEPALIVE_COUNT,
} from './subscription-builder.js';

export type { EndpointEvents, EndpointOptions, EndpointState } from './endpoint-events.js';
export { createCertificateManager } from './opcua-client.js';

/** How often the supervisor checks for a silent subscription or an attempt that overran its bound. */
const SUPERVISE_MS = 500;
/** node-opcua sends one CreateMonitoredItems per point on each (backed-off) build: bounded by config, not a loop. */
const NOT_RATE_LIMITED = new Set(['CreateMonitoredItemsRequest']);

/**
 * One OPC UA endpoint: client → session → subscription → one monitored item per point.
 * Recovery never waits for node-opcua to finish it (python-asyncua's Republish answer traps node-opcua's repair
 * forever, issue 13): node-opcua may repair a lost connection itself, and the subscription is then re-created
 * from config (node-opcua #1059), but every recovery attempt is bounded by `reconnect.attempt_timeout_ms`, a
 * silent subscription or a runaway request rate ends it early, and then the client is discarded and a fresh
 * one (connect, session, NamespaceArray, subscription, items) is built after a backoff.
 */
export class OpcuaEndpointConnection {
  private client: OPCUAClient | null = null;
  /** Aborted when `client` is discarded, so no await on it can hold the work queue. */
  private attempt: AbortController | null = null;
  private session: ClientSession | null = null;
  private subscription: ClientSubscription | null = null;
  /** Bumped on every rebuild so notifications from a dropped subscription are ignored. */
  private generation = 0;
  private stopping = false;
  private connecting = false;
  private transportDown = true;
  private everConnected = false;
  /** Start of the current recovery attempt (bounded); null while connected or waiting out a backoff. */
  private attemptSince: number | null = null;
  private queue: Promise<void> = Promise.resolve();
  private superviseTimer: TimerHandle | null = null;
  private pointRetryTimer: TimerHandle | null = null;
  private readonly closing = new Set<Promise<boolean>>();
  private readonly backoff: Backoff;
  private readonly rate: RequestRateLimit;
  private accepted = 0;
  private lastHeard = 0;
  private readonly last = new Map<string, string>();
  state: EndpointState = 'connecting';
  stateSince: number;
  failedPoints: ReadonlyMap<string, string> = new Map();

  constructor(private readonly o: EndpointOptions) {
    const { reconnect, max_requests_per_s } = o.settings;
    this.backoff = new Backoff(o.clock, {
      initialMs: reconnect.initial_delay_ms,
      maxMs: reconnect.max_delay_ms,
    });
    this.rate = new RequestRateLimit(max_requests_per_s, () => o.clock.now());
    this.stateSince = o.clock.now();
  }

  /** Starts connecting in the background: an unreachable endpoint never blocks or fails the gateway start. */
  start(): void {
    this.enqueue(() => this.connectFresh());
    this.supervise();
  }

  private get silentMs(): number {
    // Three missed keep-alives: the subscription is dead on the server even if nothing told us (#1059).
    return 3 * SUBSCRIPTION_KEEPALIVE_COUNT * this.o.endpoint.publishing_interval_ms;
  }

  private supervise(): void {
    this.superviseTimer = this.o.clock.setTimeout(() => {
      this.superviseTimer = null;
      if (this.stopping) return;
      const now = this.o.clock.now();
      const bound = this.o.settings.reconnect.attempt_timeout_ms;
      if (this.state === 'connected' && !this.transportDown && now - this.lastHeard > this.silentMs) {
        this.o.events.error(
          'subscription',
          new Error(`no notification or keep-alive for ${this.silentMs} ms`),
        );
        this.rebuildLater('silent');
      } else if (this.attemptSince !== null && now - this.attemptSince > bound) {
        this.o.events.error('recovery', new Error(`not recovered within ${bound} ms; client discarded`));
        this.rebuildLater('stalled');
      }
      this.supervise();
    }, SUPERVISE_MS);
  }

  /** Discard the client now and build a fresh one after the next backoff delay. */
  private rebuildLater(reason: RebuildReason): void {
    if (this.stopping) return;
    this.discardClient();
    this.o.events.rebuilt(reason);
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    this.attemptSince = null;
    this.schedule(() => this.connectFresh());
  }

  private discardClient(): void {
    const client = this.client;
    this.client = null;
    this.attempt?.abort();
    this.attempt = null;
    this.session = null;
    this.subscription = null;
    this.generation++;
    this.transportDown = true;
    if (!client) return;
    // Disconnecting also cancels node-opcua's own repair (and any republish loop in it). Bounded, and in the
    // background: the next client must not wait for a server that does not answer. Deferred to a microtask:
    // this may run inside one of the client's own event emissions (send_request).
    const disconnect = Promise.resolve().then(() => client.disconnect());
    const closing = settle(disconnect, this.o.settings.stop_timeout_ms, this.o.clock);
    this.closing.add(closing);
    void closing.then(() => this.closing.delete(closing));
  }

  /** The next step after the backoff delay, replacing one still waiting. */
  private schedule(step: () => Promise<void>): void {
    this.backoff.schedule(() => this.enqueue(step));
  }

  /** Work runs one step at a time; a step that throws is reported and never blocks the next. */
  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((err: unknown) => this.o.events.error('subscription', err));
  }

  private async connectFresh(): Promise<void> {
    if (this.stopping) return;
    this.discardClient();
    this.attemptSince = this.o.clock.now();
    const { endpoint, settings, certificateManager } = this.o;
    const client = createOpcuaClient(endpoint, settings, certificateManager);
    const attempt = new AbortController();
    this.client = client;
    this.attempt = attempt;
    this.wire(client);
    this.connecting = true;
    try {
      await within(
        client.connect(endpoint.url),
        settings.reconnect.attempt_timeout_ms,
        this.o.clock,
        'connect',
        attempt.signal,
      );
    } catch (err) {
      if (this.client !== client) return;
      this.o.events.error('connect', err ?? new Error('connect failed'));
      this.rebuildLater('connect_failed');
      return;
    } finally {
      this.connecting = false;
    }
    if (this.client !== client) return;
    this.transportDown = false;
    await this.build('connected');
  }

  private wire(client: OPCUAClient): void {
    const current = () => this.client === client && !this.stopping;
    watchClient(client, {
      request: (service) => {
        this.o.events.request();
        if (!current() || NOT_RATE_LIMITED.has(service) || !this.rate.record()) return;
        this.rate.reset();
        const max = this.o.settings.max_requests_per_s;
        this.o.events.error('request_rate', new Error(`more than ${max} requests to the server within 1 s`));
        this.rebuildLater('request_rate');
      },
      retrying: (attempt, delayMs) => {
        if (!current()) return;
        const err = new Error(`${this.o.endpoint.url} unreachable, retry ${attempt + 1} in ${delayMs} ms`);
        this.o.events.error('connect', err);
      },
      lost: () => {
        if (!current()) return;
        // node-opcua starts its own repair now; it gets one attempt's time (see supervise()).
        this.transportDown = true;
        this.attemptSince = this.o.clock.now();
        this.setState('reconnecting');
      },
      reestablished: () => {
        if (!current()) return;
        this.transportDown = false;
        this.enqueue(() => this.build('connection re-established'));
      },
      endlessRepublish: () => {
        if (!current()) return;
        this.o.events.error(
          'recovery',
          new Error('Republish answered Good with sequence number 0: node-opcua cannot end its loop'),
        );
        this.rebuildLater('endless_republish');
      },
      gaveUp: (err) => {
        if (!current() || this.connecting) return;
        this.o.events.error('connect', err);
        this.rebuildLater('library_gave_up');
      },
    });
  }

  /** (Re)create session if needed, subscription and items on the current client. Serialized. */
  private async build(reason: string): Promise<void> {
    const client = this.client;
    const attempt = this.attempt;
    if (this.stopping || !client || !attempt || this.transportDown) return;
    this.attemptSince ??= this.o.clock.now();
    const generation = ++this.generation;
    const ctx = this.buildContext(attempt);
    const old = this.subscription;
    this.subscription = null;
    if (old) await settle(old.terminate(), ctx.requestTimeoutMs, this.o.clock);
    try {
      if (!this.session) this.session = await this.openSession(client, ctx);
      const session = this.session;
      const { targets, failures } = await resolveTargets(session, this.o.endpoint.points, ctx);
      const subscription = await createSubscription(session, ctx);
      if (this.client !== client || generation !== this.generation) {
        void settle(subscription.terminate(), ctx.requestTimeoutMs, this.o.clock);
        return;
      }
      this.subscription = subscription;
      this.lastHeard = this.o.clock.now();
      subscription.on('keepalive', () => {
        if (this.subscription === subscription) this.lastHeard = this.o.clock.now();
      });
      subscription.on('terminated', () => {
        if (this.subscription !== subscription || this.stopping) return;
        this.setState('reconnecting');
        this.schedule(() => this.build('subscription terminated'));
      });
      const results = await monitorPoints(
        subscription,
        targets,
        (point, dv) => this.onChange(generation, point, dv),
        ctx.requestTimeoutMs,
        this.o.clock,
      );
      // The link may have dropped while items were being created; the next build starts over.
      if (this.transportDown || generation !== this.generation || this.stopping) return;
      this.accepted = results.filter((r) => r.error === null).length;
      this.recordFailures([...failures, ...results]);
      this.backoff.reset();
      this.attemptSince = null;
      this.everConnected = true;
      this.o.logger.info(
        { endpoint: this.o.endpoint.id, reason, failed: this.failedPoints.size },
        'opcua subscription created',
      );
      this.o.events.subscribed(this.accepted, this.failedPoints, true);
      this.setState('connected');
      this.scheduleFailedRetry(generation);
    } catch (err) {
      if (this.stopping || this.client !== client) return;
      this.o.events.error(this.session ? 'subscription' : 'session', err, { reason });
      // The link dropped meanwhile: node-opcua is repairing it, within the attempt bound (see supervise()).
      if (this.transportDown) return;
      this.rebuildLater('build_failed');
    }
  }

  private buildContext(attempt: AbortController): BuildContext {
    const { endpoint, settings, clock } = this.o;
    return { endpoint, requestTimeoutMs: settings.request_timeout_ms, clock, signal: attempt.signal };
  }

  private async openSession(client: OPCUAClient, ctx: BuildContext): Promise<ClientSession> {
    const session = await within(
      client.createSession(userIdentity(this.o.endpoint)),
      ctx.requestTimeoutMs,
      ctx.clock,
      'create session',
      ctx.signal,
    );
    // node-opcua re-creates a session the server dropped on the next request (our keep-alive read);
    // its own subscription repair is not relied on (node-opcua #1059).
    session.on('session_restored', () => {
      if (this.session === session) this.enqueue(() => this.build('session restored'));
    });
    session.on('session_closed', () => {
      if (this.session !== session || this.stopping) return;
      this.session = null;
      this.setState('reconnecting');
      this.schedule(() => this.build('session closed'));
    });
    return session;
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
    if (this.pointRetryTimer) this.o.clock.clearTimeout(this.pointRetryTimer);
    this.pointRetryTimer = this.o.clock.setTimeout(() => {
      this.pointRetryTimer = null;
      this.enqueue(() => this.retryFailedPoints(generation));
    }, this.o.settings.reconnect.max_delay_ms);
  }

  private async retryFailedPoints(generation: number): Promise<void> {
    const { subscription, session, attempt } = this;
    if (!subscription || !session || !attempt || generation !== this.generation || this.stopping) return;
    if (this.state !== 'connected') return this.scheduleFailedRetry(generation);
    const ctx = this.buildContext(attempt);
    const points = this.o.endpoint.points.filter((p) => this.failedPoints.has(p.name));
    const { targets, failures } = await resolveTargets(session, points, ctx);
    const results = await monitorPoints(
      subscription,
      targets,
      (point, dv) => this.onChange(generation, point, dv),
      ctx.requestTimeoutMs,
      this.o.clock,
    );
    if (generation !== this.generation) return;
    this.accepted += results.filter((r) => r.error === null).length;
    this.recordFailures([...failures, ...results]);
    this.o.events.subscribed(this.accepted, this.failedPoints, false);
    this.scheduleFailedRetry(generation);
  }

  private onChange(generation: number, point: OpcuaPointConfig, dv: DataValue): void {
    if (generation !== this.generation || this.stopping) return;
    this.lastHeard = this.o.clock.now();
    const sample = toPlantSample(dv);
    // A re-created monitored item first re-sends the current value: drop it if it is the very notification
    // we already delivered (same source time, status and value), so a reconnect does not duplicate readings.
    const key = `${sample.deviceTime}|${sample.status}|${String(sample.value)}`;
    if (this.last.get(point.name) === key) return;
    this.last.set(point.name, key);
    this.o.events.sample(point, sample);
  }

  /** True while connected and the subscription was heard from (data or keep-alive) within its keep-alive window. */
  isAlive(now = this.o.clock.now()): boolean {
    const windowMs =
      SUBSCRIPTION_KEEPALIVE_COUNT * this.o.endpoint.publishing_interval_ms +
      this.o.settings.request_timeout_ms;
    return this.state === 'connected' && !this.transportDown && now - this.lastHeard <= windowMs;
  }

  private setState(state: EndpointState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateSince = this.o.clock.now();
    this.o.events.state(state);
  }

  /** Close subscription, session and client; bounded by `stop_timeout_ms` whatever the server does. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.backoff.cancel();
    for (const timer of [this.superviseTimer, this.pointRetryTimer]) {
      if (timer) this.o.clock.clearTimeout(timer);
    }
    const timeout = this.o.settings.stop_timeout_ms;
    const deadline = this.o.clock.now() + timeout;
    const left = () => Math.max(0, deadline - this.o.clock.now());
    const { subscription, session } = this;
    if (subscription) await settle(subscription.terminate(), left(), this.o.clock);
    if (session) await settle(session.close(true), left(), this.o.clock);
    this.discardClient();
    const closed = await settle(Promise.all(this.closing), left(), this.o.clock);
    if (!closed) this.o.events.error('stop', new Error(`did not close within ${timeout} ms`));
    this.setState('stopped');
  }
}
