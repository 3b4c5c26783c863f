import {
  AttributeIds,
  ClientMonitoredItem,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  type DataValue,
  DeadbandType,
  TimestampsToReturn,
} from 'node-opcua';
import type { Clock } from '../../../../shared/src/clock.js';
import type { OpcuaPointConfig } from '../../config/sections/opcua.js';

/** A configured point and the node id to monitor for it on this server (nsu= already resolved). */
export interface MonitorTarget {
  point: OpcuaPointConfig;
  nodeId: string;
}

export interface MonitorResult {
  point: OpcuaPointConfig;
  item: ClientMonitoredItem | null;
  /** null when the server accepted the item; otherwise why not (e.g. `BadNodeIdUnknown`). */
  error: string | null;
}

/**
 * Create one monitored item per point, each on its own so a wrong node id fails only that point.
 * Resolves once every item is either accepted or refused (or `timeoutMs` passed).
 */
export async function monitorPoints(
  subscription: ClientSubscription,
  targets: readonly MonitorTarget[],
  onChange: (point: OpcuaPointConfig, dataValue: DataValue) => void,
  timeoutMs: number,
  clock: Clock,
): Promise<MonitorResult[]> {
  return Promise.all(targets.map((t) => monitorPoint(subscription, t, onChange, timeoutMs, clock)));
}

function monitorPoint(
  subscription: ClientSubscription,
  { point, nodeId }: MonitorTarget,
  onChange: (point: OpcuaPointConfig, dataValue: DataValue) => void,
  timeoutMs: number,
  clock: Clock,
): Promise<MonitorResult> {
  return new Promise<MonitorResult>((resolve) => {
    let item: ClientMonitoredItem;
    try {
      item = ClientMonitoredItem.create(
        subscription,
        { nodeId, attributeId: AttributeIds.Value },
        {
          samplingInterval: point.sampling_interval_ms,
          discardOldest: true,
          // A small queue keeps short bursts between publishes (a door opening and closing within one interval).
          queueSize: 10,
          ...(point.deadband === undefined
            ? {}
            : {
                filter: new DataChangeFilter({
                  trigger: DataChangeTrigger.StatusValue,
                  deadbandType: DeadbandType.Absolute,
                  deadbandValue: point.deadband,
                }),
              }),
        },
        TimestampsToReturn.Both,
      );
    } catch (err) {
      resolve({ point, item: null, error: (err as Error).message });
      return;
    }
    const timer = clock.setTimeout(() => done(`no answer from the server within ${timeoutMs} ms`), timeoutMs);
    let settled = false;
    function done(error: string | null): void {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      resolve({ point, item: error === null ? item : null, error });
    }
    item.on('changed', (dv: DataValue) => onChange(point, dv));
    item.on('initialized', () => done(null));
    item.on('err', (message: string) => done(String(message)));
  });
}
