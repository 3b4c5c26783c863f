import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { createLogThrottle } from '../../../../shared/src/logger.js';
import { AuthThrottle } from '../../broker/authenticate.js';
import { createBrokerHooks } from '../../broker/broker-hooks.js';
import { keepaliveCap } from '../../broker/keepalive-cap.js';
import {
  type ConnectionHandler,
  type Listener,
  type ListenerName,
  startTcpListener,
  startTlsListener,
  startWebSocketListener,
} from '../../broker/listeners.js';
import { type BrokerRejection, brokerMetrics, rejectionForError } from '../../broker/metrics.js';
import { guardPacketSize } from '../../broker/packet-size-guard.js';
import { startRevokedDeviceSweep } from '../../broker/removed-device-sweep.js';
import { MqttDeviceCommands } from '../../connectors/mqtt-devices/device-commands.js';
import { MqttDeviceConnector } from '../../connectors/mqtt-devices/mqtt-device-connector.js';
import { StoregateError } from '../../core/errors.js';
import type { Feature } from '../../ports/feature.js';
import type { GatewayContext } from '../context.js';

export interface BrokerFeature extends Feature {
  /** The bound TCP port (after start); with `broker.port: 0` this is the ephemeral port. */
  port(): number;
  addresses(): Partial<Record<ListenerName, AddressInfo>>;
  /** Internal publishes (commands, lane states) go straight into aedes, never through device credentials. */
  publish(
    topic: string,
    payload: string | Buffer,
    options?: { qos?: 0 | 1; retain?: boolean },
  ): Promise<void>;
  readonly aedes: Aedes | null;
  /** Commands to MQTT devices (`devices/{id}/cmd` → `…/cmd-response`). */
  readonly commands: MqttDeviceCommands;
}

export function createBrokerFeature(ctx: GatewayContext): BrokerFeature {
  const cfg = ctx.config.broker;
  const log = ctx.logger.child({ mod: 'broker' });
  const logGate = createLogThrottle({ now: () => ctx.clock.now() });
  const remote = new WeakMap<object, string>();
  const open = new Set<Duplex>();
  const connector = new MqttDeviceConnector(ctx);
  const throttle = new AuthThrottle({
    maxFailures: cfg.auth_throttle.max_failures,
    windowMs: cfg.auth_throttle.window_ms,
    blockMs: cfg.auth_throttle.block_ms,
  });
  let aedes: Aedes | null = null;
  let listeners: Listener[] = [];
  const devices = new Map<string, Client>();
  // The secret's version each session logged in with: a rotation since then revokes the session.
  const secretAtLogin = new Map<string, number | undefined>();
  let sweep: { stop(): void } | null = null;
  const metrics = brokerMetrics(ctx.metrics, {
    connections: () => open.size,
    clients: () => aedes?.connectedClients ?? 0,
    remembered: () => ({ packet_id: hooks.resends.size(), msg_id: connector.rememberedMsgIds() }),
  });

  // aedes can report one failure twice (socket error, then client error): count each reason once per client
  const counted = new WeakMap<Client, Set<BrokerRejection>>();
  function reject(client: Client | null, reason: BrokerRejection, detail?: string) {
    if (client) {
      const seen = counted.get(client) ?? new Set<BrokerRejection>();
      if (seen.has(reason) && reason !== 'acl_subscribe') return;
      seen.add(reason);
      counted.set(client, seen);
    }
    metrics.rejections.labels(reason).inc();
    const device = client?.id;
    if (logGate.allow(`${reason}:${device ?? ''}`).log)
      log.warn({ reason, device, detail }, 'broker limit enforced');
  }

  let feature: BrokerFeature;
  const commands = new MqttDeviceCommands(
    (topic, payload, options) => feature.publish(topic, payload, options),
    ctx.clock,
  );
  const hooks = createBrokerHooks({
    ctx: { config: ctx.config, clock: ctx.clock, registry: ctx.registry, deviceStats: ctx.deviceStats },
    log,
    metrics,
    throttle,
    connector,
    commands,
    remoteAddress: (client) => remote.get(client.conn) ?? 'unknown',
    reject,
  });

  const keepalive = keepaliveCap(cfg.limits.max_keepalive_s, (client, announced) =>
    reject(client, 'keepalive', `${announced}s > ${cfg.limits.max_keepalive_s}s`),
  );

  // Sockets per remote address, and sockets that have not sent CONNECT yet: one host cannot take every slot,
  // and idle pre-CONNECT sockets (which cost nothing to open) cannot crowd out devices.
  const perAddress = new Map<string, number>();
  const pending = new Set<Duplex>();
  const onConnection: ConnectionHandler = (conn, meta) => {
    const address = meta.remoteAddress;
    const refuse = (reason: BrokerRejection) => {
      reject(null, reason, address);
      conn.destroy();
    };
    if (!aedes || open.size >= cfg.limits.max_connections) return refuse('max_connections');
    if ((perAddress.get(address) ?? 0) >= cfg.limits.max_connections_per_address) {
      return refuse('max_connections_per_address');
    }
    if (pending.size >= cfg.limits.max_pending_connects) return refuse('max_pending_connects');
    open.add(conn);
    pending.add(conn);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    conn.once('close', () => {
      open.delete(conn);
      pending.delete(conn);
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n > 0) perAddress.set(address, n);
      else perAddress.delete(address);
    });
    remote.set(conn, meta.remoteAddress);
    guardPacketSize(conn, cfg.limits.max_packet_bytes, (bytes) =>
      reject(null, 'packet_too_large', `${meta.remoteAddress} announced ${bytes} bytes`),
    );
    aedes.handle(conn, meta.req);
  };

  feature = {
    name: 'broker',
    commands,
    get aedes() {
      return aedes;
    },
    async start() {
      aedes = await Aedes.createBroker({
        preConnect: (client, packet, done) => {
          pending.delete(client.conn as unknown as Duplex);
          keepalive.preConnect(client, packet, done);
        },
        authenticate: keepalive.wrap(hooks.authenticate),
        authorizePublish: hooks.authorizePublish,
        authorizeSubscribe: hooks.authorizeSubscribe,
        authorizeForward: hooks.authorizeForward,
        // concurrency 0 = no mqemitter queue. With a queue, aedes 1.2 / mqemitter 7.1 drains it recursively
        // (released → _do → empty match → released …) and a long backlog overflows the stack: see docs/broker.md.
        concurrency: 0,
        drainTimeout: cfg.limits.drain_timeout_ms,
        connectTimeout: cfg.limits.connect_timeout_ms,
        keepaliveLimit: 0, // enforced by keepaliveCap with a 3.1.1 CONNACK code
        maxClientsIdLength: cfg.limits.max_client_id_length,
        maxTopicLevels: cfg.limits.max_topic_levels,
        heartbeatInterval: 60_000,
      });
      aedes.on('clientReady', (client) => {
        const id = hooks.sessionOf(client)?.deviceId;
        if (!id) return;
        devices.set(id, client);
        secretAtLogin.set(id, ctx.registry.secretChangedAt(id));
        ctx.deviceStats.connection(id, true);
      });
      aedes.on('clientDisconnect', (client) => {
        const id = hooks.sessionOf(client)?.deviceId;
        if (!id || devices.get(id) !== client) return;
        devices.delete(id);
        secretAtLogin.delete(id);
        ctx.deviceStats.connection(id, false);
      });
      sweep = startRevokedDeviceSweep({
        clock: ctx.clock,
        intervalMs: ctx.config.health.check_interval_ms,
        connectedDevices: () => devices.keys(),
        revoked(id) {
          const changedAt = ctx.registry.secretChangedAt(id);
          if (changedAt === undefined) return 'device_removed';
          return changedAt !== secretAtLogin.get(id) ? 'secret_rotated' : null;
        },
        onRevoked(id, why) {
          const client = devices.get(id);
          if (!client) return;
          reject(client, why, id);
          client.close();
        },
      });
      const onError = (client: Client | null, err: Error) => {
        const reason = rejectionForError(err.message);
        if (reason) reject(client, reason, err.message);
      };
      aedes.on('clientError', onError);
      aedes.on('connectionError', onError);
      try {
        listeners.push(await startTcpListener(cfg.host, cfg.port, onConnection));
        if (cfg.tls) listeners.push(await startTlsListener(cfg.host, cfg.tls.port, cfg.tls, onConnection));
        if (cfg.websocket) {
          const { port, path } = cfg.websocket;
          listeners.push(
            await startWebSocketListener(cfg.host, port, path, cfg.limits.max_packet_bytes, onConnection),
          );
        }
      } catch (err) {
        await this.stop();
        throw err;
      }
      log.info({ addresses: this.addresses() }, 'broker listening');
    },
    async stop() {
      commands.cancelAll();
      sweep?.stop();
      sweep = null;
      const closing = listeners.map((l) => l.close());
      listeners = [];
      const broker = aedes;
      aedes = null;
      if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const conn of open) conn.destroy();
      await Promise.all(closing);
    },
    port() {
      const tcp = listeners.find((l) => l.name === 'tcp');
      if (!tcp) throw new StoregateError('SG_NOT_READY', 'broker is not started');
      return tcp.address().port;
    },
    addresses() {
      return Object.fromEntries(listeners.map((l) => [l.name, l.address()]));
    },
    publish(topic, payload, options = {}) {
      const broker = aedes;
      if (!broker) return Promise.reject(new Error('broker is not started'));
      return new Promise((resolve, reject) =>
        broker.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos: options.qos ?? 0,
            retain: options.retain ?? false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    },
  };
  return feature;
}
