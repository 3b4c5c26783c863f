import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import type { OpcuaEndpointConfig, OpcuaSection } from '../../config/sections/opcua.js';

export type ClientSettings = Pick<OpcuaSection, 'reconnect' | 'request_timeout_ms' | 'keepalive_interval_ms'>;

/**
 * A node-opcua client for one endpoint. `endpointMustExist: false` lets a server that lists its endpoints under
 * another host name (a PLC behind NAT, `opc.tcp://plc-hostname:4840`) still be reached by the configured URL.
 * `maxRetry: -1`: the initial connect and every reconnection retry forever with capped exponential backoff.
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
      maxRetry: -1,
      randomisationFactor: 0.1,
    },
  });
}

export function userIdentity(ep: OpcuaEndpointConfig): UserIdentityInfo {
  return ep.username === undefined
    ? { type: UserTokenType.Anonymous }
    : { type: UserTokenType.UserName, userName: ep.username, password: ep.password ?? '' };
}

/** Await a promise but never longer than `ms`, never throwing: true if it settled successfully in time. */
export async function settle(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => true as const,
        () => false as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
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
