import { resolve } from 'node:path';
import type { OPCUACertificateManager } from 'node-opcua';
import type { TimerHandle } from '../../../../shared/src/clock.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { Reading } from '../../../../shared/src/readings.js';
import type { OpcuaEndpointConfig, OpcuaPointConfig } from '../../config/sections/opcua.js';
import type { PlantSample } from '../../connectors/opcua/data-value.js';
import type { EndpointState, OpcuaEndpointConnection } from '../../connectors/opcua/endpoint-connection.js';
import {
  createOpcuaMetrics,
  type OpcuaErrorKind,
  type OpcuaMetrics,
  type RebuildReason,
} from '../../connectors/opcua/opcua-metrics.js';
import type { Feature } from '../../ports/feature.js';
import type { GatewayContext } from '../context.js';

const REGISTRY_RECHECK_MS = 60_000;

/**
 * OPC UA connector for refrigeration and building systems: each configured endpoint's data changes become
 * `plant.value` readings (deviceId = endpoint id). A failing endpoint is logged (throttled), counted and
 * retried; it never takes the gateway down. node-opcua is loaded only when endpoints are configured. Points
 * with an `alarm` block are units of the cold chain (features/coldchain), which raises their alarms.
 */
export class OpcuaConnectorFeature implements Feature {
  readonly name = 'opcua';
  private readonly connections = new Map<string, OpcuaEndpointConnection>();
  private readonly metrics: OpcuaMetrics | null = null;
  private readonly log: Logger;
  private readonly throttle: ReturnType<typeof createLogThrottle>;
  private heartbeat: TimerHandle | null = null;
  private startError: string | null = null;
  private readonly registered = new Map<string, { known: boolean; checkedAt: number }>();
  private certificateManager: OPCUACertificateManager | null = null;

  constructor(private readonly ctx: GatewayContext) {
    this.log = ctx.logger.child({ mod: 'opcua' });
    this.throttle = createLogThrottle({ now: () => ctx.clock.now() });
    const section = ctx.config.opcua;
    if (section.endpoints.length === 0) return;
    this.metrics = createOpcuaMetrics(ctx.metrics);
  }

  /** Endpoints that stay down, points that failed, or a stack that did not load (shown in /healthz). */
  health(): string | null {
    return this.healthProblem();
  }

  async start(): Promise<void> {
    const section = this.ctx.config.opcua;
    if (section.endpoints.length === 0) return;
    let loaded: typeof import('../../connectors/opcua/endpoint-connection.js');
    let certificateManager: ReturnType<typeof loaded.createCertificateManager>;
    try {
      loaded = await import('../../connectors/opcua/endpoint-connection.js');
      certificateManager = loaded.createCertificateManager(
        resolve(this.ctx.config.dataDir, section.pki_dir),
        section.trust_unknown_server_certificates,
      );
    } catch (err) {
      // A broken OPC UA stack degrades this feature (reported in /healthz); the rest of the gateway runs on.
      this.startError = `OPC UA stack failed to load: ${(err as Error).message}`;
      this.log.error({ err }, 'opcua connector not started');
      return;
    }
    this.certificateManager = certificateManager;
    for (const endpoint of section.endpoints) {
      this.metrics?.connected(endpoint.id, false);
      const connection = new loaded.OpcuaEndpointConnection({
        endpoint,
        settings: section,
        certificateManager,
        clock: this.ctx.clock,
        logger: this.log,
        events: {
          sample: (point, sample) => this.onSample(endpoint, point, sample),
          state: (state) => this.onState(endpoint, state),
          error: (kind, err, detail) => this.onError(endpoint, kind, err, detail),
          subscribed: (items, _failed, created) => this.metrics?.subscribed(endpoint.id, items, created),
          request: () => this.metrics?.request(endpoint.id),
          rebuilt: (reason) => this.onRebuilt(endpoint, reason),
        },
      });
      this.connections.set(endpoint.id, connection);
      connection.start();
    }
    this.scheduleHeartbeat();
    this.log.info({ endpoints: section.endpoints.map((e) => e.id) }, 'opcua connector started');
  }

  /**
   * OPC UA reports changes only: a fridge holding 3 °C behind a deadband may send nothing for hours. While its
   * subscription is alive, a `device.status` reading keeps the endpoint online in device health; when the link
   * is lost the heartbeats stop and health marks it offline.
   */
  private scheduleHeartbeat(): void {
    this.heartbeat = this.ctx.clock.setTimeout(() => {
      for (const [id, c] of this.connections) {
        if (!c.isAlive()) continue;
        const now = this.ctx.clock.now();
        const status: Reading = {
          type: 'device.status',
          deviceId: id,
          deviceTime: null,
          receivedAt: now,
          quality: 'good',
          source: 'opcua',
        };
        if (this.isRegistered(id, now)) this.ctx.registry.touch(id, now);
        this.ctx.pipeline.ingest(status).catch((err: unknown) => {
          const endpoint = this.ctx.config.opcua.endpoints.find((e) => e.id === id);
          if (endpoint) this.onError(endpoint, 'ingest', err);
        });
      }
      this.scheduleHeartbeat();
    }, this.ctx.config.opcua.heartbeat_interval_ms);
  }

  async stop(): Promise<void> {
    if (this.heartbeat) this.ctx.clock.clearTimeout(this.heartbeat);
    this.heartbeat = null;
    await Promise.all([...this.connections.values()].map((c) => c.stop()));
    this.connections.clear();
    // Each node-opcua client holds a reference and releases it on disconnect (not always: one that never
    // connected skips it); the feature owns the manager and closes its folder watchers here.
    const certificateManager = this.certificateManager;
    this.certificateManager = null;
    if (certificateManager) {
      certificateManager.referenceCounter = 0;
      await certificateManager.dispose().catch(() => {});
    }
  }

  /** Per-endpoint state for status pages and tests. */
  status(): Record<string, { state: EndpointState; since: number; failedPoints: Record<string, string> }> {
    const out: Record<string, { state: EndpointState; since: number; failedPoints: Record<string, string> }> =
      {};
    for (const [id, c] of this.connections) {
      out[id] = { state: c.state, since: c.stateSince, failedPoints: Object.fromEntries(c.failedPoints) };
    }
    return out;
  }

  private onSample(endpoint: OpcuaEndpointConfig, point: OpcuaPointConfig, sample: PlantSample): void {
    const receivedAt = this.ctx.clock.now();
    const reading: Reading = {
      type: 'plant.value',
      deviceId: endpoint.id,
      deviceTime: sample.deviceTime,
      receivedAt,
      quality: sample.quality,
      source: 'opcua',
      point: point.name,
      value: sample.value,
      ...(point.unit === undefined ? {} : { unit: point.unit }),
    };
    this.metrics?.dataChange(endpoint.id, sample.quality);
    this.ctx.deviceStats.accepted(endpoint.id, receivedAt);
    if (this.isRegistered(endpoint.id, receivedAt)) this.ctx.registry.touch(endpoint.id, receivedAt);
    if (sample.quality !== 'good') {
      this.warn(
        `${endpoint.id}:${point.name}:quality`,
        { endpoint: endpoint.id, point: point.name, status: sample.status },
        'opcua point not good',
      );
    }
    this.ctx.pipeline
      .ingest(reading)
      .catch((err: unknown) => this.onError(endpoint, 'ingest', err, { point: point.name }));
  }

  /** Endpoints need not be registered devices; look up at most once a minute so the hot path stays cheap. */
  private isRegistered(id: string, now: number): boolean {
    const cached = this.registered.get(id);
    if (cached && now - cached.checkedAt < REGISTRY_RECHECK_MS) return cached.known;
    let known = false;
    try {
      known = this.ctx.registry.get(id) !== undefined;
    } catch (err) {
      this.warn(`${id}:registry`, { endpoint: id, err }, 'opcua registry lookup failed');
    }
    this.registered.set(id, { known, checkedAt: now });
    return known;
  }

  private onState(endpoint: OpcuaEndpointConfig, state: EndpointState): void {
    const up = state === 'connected';
    this.metrics?.connected(endpoint.id, up);
    this.ctx.deviceStats.connection(endpoint.id, up);
    if (state === 'reconnecting') this.metrics?.reconnect(endpoint.id);
    this.log.info({ endpoint: endpoint.id, url: endpoint.url, state }, 'opcua endpoint state');
  }

  private onRebuilt(endpoint: OpcuaEndpointConfig, reason: RebuildReason): void {
    this.metrics?.rebuilt(endpoint.id, reason);
    if (reason === 'connect_failed') return; // already logged as a connect error; an outage repeats it
    const { log, suppressed } = this.throttle.allow(`${endpoint.id}:rebuild:${reason}`);
    const fields = { endpoint: endpoint.id, url: endpoint.url, reason };
    if (log)
      this.log.info(
        suppressed > 0 ? { ...fields, suppressed } : fields,
        'opcua client discarded, rebuilding',
      );
  }

  private onError(
    endpoint: OpcuaEndpointConfig,
    kind: OpcuaErrorKind,
    err: unknown,
    detail?: Record<string, unknown>,
  ): void {
    this.metrics?.error(endpoint.id, kind);
    this.ctx.deviceStats.rejected(endpoint.id, `opcua_${kind}`);
    const message = err instanceof Error ? err.message : String(err);
    this.warn(
      `${endpoint.id}:${kind}`,
      { endpoint: endpoint.id, url: endpoint.url, kind, error: message, ...detail },
      'opcua endpoint error',
    );
  }

  private warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const { log, suppressed } = this.throttle.allow(key);
    if (log) this.log.warn(suppressed > 0 ? { ...fields, suppressed } : fields, msg);
  }

  private healthProblem(): string | null {
    const now = this.ctx.clock.now();
    const problems: string[] = this.startError ? [this.startError] : [];
    // Down for longer than one recovery attempt may take: not a blip any more.
    const graceMs = this.ctx.config.opcua.reconnect.attempt_timeout_ms;
    for (const [id, c] of this.connections) {
      if (c.state !== 'connected' && c.state !== 'stopped' && now - c.stateSince > graceMs) {
        problems.push(`${id} ${c.state} for ${Math.round((now - c.stateSince) / 1000)} s`);
      }
      for (const [point, error] of c.failedPoints) problems.push(`${id}/${point}: ${error}`);
    }
    return problems.length > 0 ? problems.join('; ') : null;
  }
}
