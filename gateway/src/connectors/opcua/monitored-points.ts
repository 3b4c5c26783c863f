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
import type { OpcuaPointConfig } from '../../config/sections/opcua.js';

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
  points: readonly OpcuaPointConfig[],
  onChange: (point: OpcuaPointConfig, dataValue: DataValue) => void,
  timeoutMs: number,
): Promise<MonitorResult[]> {
  return Promise.all(points.map((p) => monitorPoint(subscription, p, onChange, timeoutMs)));
}

function monitorPoint(
  subscription: ClientSubscription,
  point: OpcuaPointConfig,
  onChange: (point: OpcuaPointConfig, dataValue: DataValue) => void,
  timeoutMs: number,
): Promise<MonitorResult> {
  return new Promise<MonitorResult>((resolve) => {
    let item: ClientMonitoredItem;
    try {
      item = ClientMonitoredItem.create(
        subscription,
        { nodeId: point.node_id, attributeId: AttributeIds.Value },
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
    const timer = setTimeout(() => done(`no answer from the server within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    let settled = false;
    function done(error: string | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ point, item: error === null ? item : null, error });
    }
    item.on('changed', (dv: DataValue) => onChange(point, dv));
    item.on('initialized', () => done(null));
    item.on('err', (message: string) => done(String(message)));
  });
}
