import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import type { OpcuaEndpointConfig, OpcuaSection } from '../../config/sections/opcua.js';

export type ClientSettings = Pick<OpcuaSection, 'reconnect' | 'request_timeout_ms' | 'keepalive_interval_ms'>;

/**
 * A node-opcua client for one endpoint. `endpointMustExist: false` lets a server that lists its endpoints under
 * another host name (a PLC behind NAT, `opc.tcp://plc-hostname:4840`) still be reached by the configured URL.
 * `maxRetry: 1`: `connect()` gives up after one retry and the endpoint connection paces the next attempt with
 * its own backoff on a fresh client. Any non-zero value also keeps node-opcua's repair after a connection loss
 * switched on (it always retries that forever); the connection bounds that repair by
 * `reconnect.attempt_timeout_ms` and discards the client if it has not finished.
 */
export function createOpcuaClient(
  ep: OpcuaEndpointConfig,
  settings: ClientSettings,
  certificateManager: OPCUACertificateManager,
): OPCUAClient {
  return OPCUAClient.create({
    applicationName: 'storegate',
    clientName: `storegate-${ep.id}`,
    endpointMustExist: false,
    keepSessionAlive: true,
    keepAliveInterval: settings.keepalive_interval_ms,
    requestedSessionTimeout: 60_000,
    defaultTransactionTimeout: settings.request_timeout_ms,
    securityMode: MessageSecurityMode[ep.security_mode],
    securityPolicy: SecurityPolicy[ep.security_policy],
    clientCertificateManager: certificateManager,
    connectionStrategy: {
      initialDelay: settings.reconnect.initial_delay_ms,
      maxDelay: settings.reconnect.max_delay_ms,
      maxRetry: 1,
      randomisationFactor: 0.1,
    },
  });
}

export function userIdentity(ep: OpcuaEndpointConfig): UserIdentityInfo {
  return ep.username === undefined
    ? { type: UserTokenType.Anonymous }
    : { type: UserTokenType.UserName, userName: ep.username, password: ep.password ?? '' };
}

/** Thrown by `within` when the deadline passed or the attempt was abandoned. */
export class DeadlineError extends Error {}

/**
 * Await `p` for at most `ms` (on the injected clock), and not past `signal` aborting: a node-opcua call that
 * never answers (a frozen server, a repair that never ends) can never hold the connection's work queue.
 */
export async function within<T>(
  p: Promise<T>,
  ms: number,
  clock: Clock,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  let timer: TimerHandle | undefined;
  let onAbort: (() => void) | undefined;
  const cut = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => reject(new DeadlineError(`${what}: no answer within ${ms} ms`)), ms);
    if (signal) {
      onAbort = () => reject(new DeadlineError(`${what}: abandoned`));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  // The losing promise may still reject later; that must not surface as an unhandled rejection.
  p.catch(() => {});
  try {
    return await Promise.race([p, cut]);
  } finally {
    if (timer) clock.clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Await a promise but never longer than `ms`, never throwing: true if it settled successfully in time. */
export async function settle(p: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  try {
    await within(p, ms, clock, 'settle');
    return true;
  } catch {
    return false;
  }
}

/**
 * The client's own certificate store under data_dir (its key pair is created on first use). With
 * `trustUnknownServers` false, a server certificate not in `<pki>/trusted/certs` is refused (and copied to
 * `<pki>/rejected` for an operator to move), which is what makes Sign/SignAndEncrypt authenticate the server.
 */
export function createCertificateManager(
  rootFolder: string,
  trustUnknownServers: boolean,
): OPCUACertificateManager {
  return new OPCUACertificateManager({
    rootFolder,
    automaticallyAcceptUnknownCertificate: trustUnknownServers,
  });
}
