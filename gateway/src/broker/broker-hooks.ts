import type { AedesPublishPacket, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Clock } from '../../../shared/src/clock.js';
import type { DeviceKind } from '../../../shared/src/device-contract.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { BrokerSection } from '../config/sections/broker.js';
import type { MqttDeviceCommands } from '../connectors/mqtt-devices/device-commands.js';
import type { MqttDeviceConnector } from '../connectors/mqtt-devices/mqtt-device-connector.js';
import type { DeviceRegistry } from '../ports/device-registry.js';
import type { DeviceStats } from '../ports/device-stats.js';
import { type AuthRefusalReason, type AuthThrottle, CONNACK, decideAuthentication } from './authenticate.js';
import { authorizeDevicePublish, authorizeDeviceSubscribe, type SessionIdentity } from './authorize.js';
import type { BrokerMetrics, BrokerRejection } from './metrics.js';
import { type ConnectionRef, ResendDedupe } from './resend-dedupe.js';
import { TokenBucket } from './token-bucket.js';

export interface Session extends SessionIdentity {
  kind: DeviceKind | null;
  bucket: TokenBucket;
  connection: ConnectionRef;
}

/** What the hooks read from the gateway: the broker's config section and the device registry/stats. */
export interface BrokerHookContext {
  readonly config: { readonly broker: BrokerSection };
  readonly clock: Clock;
  readonly registry: DeviceRegistry;
  readonly deviceStats: DeviceStats;
}

export interface HookDeps {
  ctx: BrokerHookContext;
  log: Logger;
  metrics: BrokerMetrics;
  throttle: AuthThrottle;
  connector: MqttDeviceConnector;
  commands: MqttDeviceCommands;
  remoteAddress(client: Client): string;
  /** Count, log (throttled) and remember why a connection is being closed. */
  reject(client: Client | null, reason: BrokerRejection, detail?: string): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Where a rejected device payload goes: a `$` topic no wildcard matches and no device may subscribe to. */
export const DEAD_LETTER_PREFIX = '$storegate/rejected/';

/**
 * The aedes adapter around the pure decisions in authenticate.ts / authorize.ts and the device connector.
 * Returning an error from authorizePublish makes aedes close the connection (MQTT 3.1.1 has no negative
 * PUBACK); that is what ACL and rate-limit violations get. Invalid payloads from a legitimate device are
 * acknowledged but dropped (rerouted to a dead-letter topic), so one firmware bug cannot cause a reconnect storm.
 */
export function createBrokerHooks(deps: HookDeps) {
  const { ctx, metrics, throttle, connector } = deps;
  const cfg = ctx.config.broker;
  const sessions = new WeakMap<Client, Session>();
  const resends = new ResendDedupe();
  let connections = 0;

  function refuse(
    client: Client,
    reason: AuthRefusalReason,
    returnCode: number,
    done: AuthDone,
    reserved = false,
  ) {
    metrics.authFailures.labels(reason).inc();
    const address = deps.remoteAddress(client);
    if (reason === 'bad_credentials' || reason === 'client_id_mismatch') {
      if (throttle.recordFailure(address, ctx.clock.now(), reserved)) {
        metrics.throttleBlocks.inc();
        deps.log.warn(
          { address, blockMs: cfg.auth_throttle.block_ms },
          'address blocked after repeated failed logins',
        );
      }
    }
    const err = new Error(`login refused: ${reason}`) as AuthenticateError;
    err.returnCode = returnCode;
    done(err, false);
  }

  function newSession(
    deviceId: string | null,
    kind: DeviceKind | null,
    location: Session['location'],
  ): Session {
    const { max_publishes_per_second: rate, publish_burst: burst } = cfg.limits;
    const now = ctx.clock.now();
    const connection = { serial: ++connections, connectedAt: now };
    return { deviceId, kind, location, bucket: new TokenBucket(rate, burst, now), connection };
  }

  type AuthDone = (error: AuthenticateError | null, success: boolean | null) => void;

  return {
    sessionOf: (client: Client) => sessions.get(client),
    resends,

    authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: AuthDone) {
      const address = deps.remoteAddress(client);
      const decision = decideAuthentication(
        { clientId: client.id, username, password, blocked: throttle.isBlocked(address, ctx.clock.now()) },
        { allowAnonymous: cfg.allow_anonymous, maxClientIdLength: cfg.limits.max_client_id_length },
      );
      if (decision.kind === 'refuse') return refuse(client, decision.reason, decision.returnCode, done);
      if (decision.kind === 'anonymous') {
        // An anonymous client must not take over a registered device's id (its session, its commands).
        if (ctx.registry.get(client.id)) {
          return refuse(client, 'client_id_taken', CONNACK.identifierRejected, done);
        }
        sessions.set(client, newSession(null, null, {}));
        return done(null, true);
      }
      // Counted before the hash check: parallel wrong guesses are limited while still in flight.
      if (!throttle.reserve(address, ctx.clock.now())) {
        return refuse(client, 'throttled', CONNACK.serverUnavailable, done);
      }
      ctx.registry.verifySecret(decision.deviceId, decision.secret).then(
        (ok) => {
          const device = ok ? ctx.registry.get(decision.deviceId) : undefined;
          if (!device) return refuse(client, 'bad_credentials', CONNACK.badUsernameOrPassword, done, true);
          throttle.recordSuccess(address, true);
          sessions.set(client, newSession(device.id, device.kind, device.location));
          done(null, true);
        },
        (err: unknown) => {
          throttle.release(address); // not the client's fault: neither a failure nor a success
          deps.log.error({ err, device: decision.deviceId }, 'credential check failed');
          const e = new Error('credential check failed') as AuthenticateError;
          e.returnCode = CONNACK.serverUnavailable; // the device retries later
          done(e, false);
        },
      );
    },

    authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) {
      const session = client ? sessions.get(client) : undefined;
      if (!client || !session) return done(new Error('no session'));
      const acl = authorizeDevicePublish(session, packet.topic);
      if (!acl.allowed) {
        deps.reject(client, 'acl_publish', `${acl.reason}: ${packet.topic}`);
        return done(new Error(`publish refused: ${acl.reason}`));
      }
      const deviceId = session.deviceId!;
      if (!session.bucket.take(ctx.clock.now())) {
        connector.reject(deviceId, 'rate_limited', `over ${cfg.limits.max_publishes_per_second}/s`);
        deps.reject(client, 'rate_limited', deviceId);
        return done(new Error('publish rate limit exceeded'));
      }
      if (acl.suffix === 'cmd-response') {
        // Answers go to the gateway's command matcher only; no device may read another's responses.
        const problem = deps.commands.onResponse(deviceId, packet.payload as Buffer);
        if (problem) connector.reject(deviceId, problem, 'cmd-response', acl.suffix);
        else ctx.deviceStats.accepted(deviceId, ctx.clock.now());
        packet.topic = DEAD_LETTER_PREFIX + deviceId;
        packet.retain = false;
        return done(null);
      }
      const ref =
        packet.qos > 0 && packet.messageId !== undefined
          ? {
              clientId: client.id,
              messageId: packet.messageId,
              dup: packet.dup,
              payload: packet.payload as Buffer,
            }
          : null;
      const seen = ref ? resends.check(ref, session.connection, ctx.clock.now()) : null;
      if (seen && 'resend' in seen) {
        // Already ingested: acknowledge once the original is durable, never ingest it twice.
        connector.duplicate(deviceId, 'packet_id');
        packet.topic = DEAD_LETTER_PREFIX + deviceId;
        packet.retain = false;
        seen.resend.then(
          () => done(null),
          () => done(new Error('resend of a reading that could not be made durable')),
        );
        return;
      }
      const outcome = connector.handle({
        deviceId,
        kind: session.kind!,
        suffix: acl.suffix,
        payload: packet.payload as Buffer,
        qos: packet.qos,
      });
      if (ref && seen && outcome.accepted)
        resends.record(ref, seen.hash, session.connection, outcome.durable ?? RESOLVED, ctx.clock.now());
      if (!outcome.accepted) {
        packet.topic = DEAD_LETTER_PREFIX + deviceId;
        packet.payload = Buffer.alloc(0);
        packet.retain = false;
        return done(null);
      }
      // aedes writes the PUBACK only after this callback (lib/handlers/publish.js: authorizePublish runs before
      // enqueuePublish), so must-deliver readings are acknowledged only once durable.
      if (outcome.durable) {
        outcome.durable.then(
          () => done(null),
          (err: unknown) => {
            connector.ingestFailed(deviceId, err);
            deps.reject(client, 'ingest_failed', deviceId);
            done(new Error('reading could not be made durable'));
          },
        );
        return;
      }
      done(null);
    },

    authorizeSubscribe(
      client: Client,
      sub: Subscription,
      done: (err: Error | null, sub?: Subscription | null) => void,
    ) {
      const session = sessions.get(client);
      if (session && authorizeDeviceSubscribe(session, sub.topic)) return done(null, sub);
      deps.reject(client, 'acl_subscribe', sub.topic);
      done(null, null); // SUBACK 0x80 for this filter; the connection stays up
    },

    authorizeForward(_client: Client, packet: AedesPublishPacket) {
      return packet.topic.startsWith(DEAD_LETTER_PREFIX) ? null : packet;
    },
  };
}
