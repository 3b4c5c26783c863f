import { AttributeIds, type ClientSession, type ClientSubscription } from 'node-opcua';
import type { Clock } from '../../../../shared/src/clock.js';
import type { OpcuaEndpointConfig, OpcuaPointConfig } from '../../config/sections/opcua.js';
import { StoregateError } from '../../core/errors.js';
import type { MonitorResult, MonitorTarget } from './monitored-points.js';
import { needsNamespaceArray, resolveNodeId } from './node-id.js';
import { within } from './opcua-client.js';

/** A subscription sends data or a keep-alive at least every publishing interval × this count. */
export const SUBSCRIPTION_KEEPALIVE_COUNT = 10;

/** Server_NamespaceArray (OPC UA Part 5 §6.3.1): the URIs behind namespace indexes, index = position. */
const NAMESPACE_ARRAY = 'i=2255';

export interface BuildContext {
  endpoint: OpcuaEndpointConfig;
  requestTimeoutMs: number;
  clock: Clock;
  /** Aborted when the client this work runs on is discarded. */
  signal: AbortSignal;
}

/**
 * The node id to monitor for each point on this server, and the points that cannot be monitored here
 * (an `nsu=` URI the server does not list). The NamespaceArray is read on every call (one Read per build),
 * not through node-opcua's per-session cache (`session.readNamespaceArray()`), so a server that renumbered
 * its namespaces is seen whatever path the recovery took and whenever node-opcua clears that cache.
 */
export async function resolveTargets(
  session: ClientSession,
  points: readonly OpcuaPointConfig[],
  ctx: BuildContext,
): Promise<{ targets: MonitorTarget[]; failures: MonitorResult[] }> {
  if (!needsNamespaceArray(points.map((p) => p.node_id))) {
    return { targets: points.map((point) => ({ point, nodeId: point.node_id })), failures: [] };
  }
  const namespaces = await readNamespaceArray(session, ctx);
  const targets: MonitorTarget[] = [];
  const failures: MonitorResult[] = [];
  for (const point of points) {
    const resolved = resolveNodeId(point.node_id, namespaces);
    if (resolved.error === null) targets.push({ point, nodeId: resolved.nodeId });
    else failures.push({ point, item: null, error: resolved.error });
  }
  return { targets, failures };
}

async function readNamespaceArray(session: ClientSession, ctx: BuildContext): Promise<string[]> {
  const dv = await within(
    session.read({ nodeId: NAMESPACE_ARRAY, attributeId: AttributeIds.Value }),
    ctx.requestTimeoutMs,
    ctx.clock,
    'read NamespaceArray',
    ctx.signal,
  );
  const value: unknown = dv.value?.value;
  if (dv.statusCode.isNotGood() || !Array.isArray(value)) {
    throw new StoregateError('SG_IO', `the server's NamespaceArray could not be read: ${dv.statusCode.name}`);
  }
  return value.map(String);
}

export function createSubscription(session: ClientSession, ctx: BuildContext): Promise<ClientSubscription> {
  return within(
    session.createSubscription2({
      requestedPublishingInterval: ctx.endpoint.publishing_interval_ms,
      requestedMaxKeepAliveCount: SUBSCRIPTION_KEEPALIVE_COUNT,
      requestedLifetimeCount: 60,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
      priority: 1,
    }),
    ctx.requestTimeoutMs,
    ctx.clock,
    'create subscription',
    ctx.signal,
  );
}
