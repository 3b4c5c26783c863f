import type { Quality } from '../../../../shared/src/readings.js';

/**
 * Pure mapping from an OPC UA DataValue to the parts of a `plant.value` reading. Structural types keep it
 * independent of node-opcua classes, so it is unit-tested without a server.
 */
export interface DataValueLike {
  value?: { dataType?: number; arrayType?: number; value?: unknown } | null;
  statusCode?: { value: number; name?: string } | null;
  sourceTimestamp?: Date | null;
}

export interface PlantSample {
  value: number | boolean | string;
  quality: Quality;
  /** Source timestamp (epoch ms) as the device/PLC stamped it, or null if the server sent none. */
  deviceTime: number | null;
  /** Status code name, e.g. `Good`, `BadSensorFailure`, `UncertainLastUsableValue`. */
  status: string;
}

// OPC UA Part 4 §7.39: the two top bits of a StatusCode are its severity (00 Good, 01 Uncertain, 10/11 Bad).
export function qualityFromStatus(code: number): Quality {
  const severity = (code >>> 30) & 0b11;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

const DATA_TYPE_INT64 = 8;
const DATA_TYPE_UINT64 = 9;
const MAX_STRING = 256;

export function toPlantSample(dv: DataValueLike): PlantSample {
  const code = dv.statusCode?.value ?? 0;
  const status = dv.statusCode?.name ?? `0x${code.toString(16).padStart(8, '0')}`;
  let quality = qualityFromStatus(code);
  const ts = dv.sourceTimestamp;
  const deviceTime =
    ts instanceof Date && !Number.isNaN(ts.getTime()) && ts.getTime() > 0 ? ts.getTime() : null;
  const raw = dv.value?.value;
  let value = scalarFrom(raw, dv.value?.dataType);
  if (value === undefined) {
    // A Bad status usually comes without a value. Never substitute the last good value (that hides a dead
    // sensor): the reading carries the status name instead, and a value-less reading is never `good`.
    value = status;
    if (quality === 'good') quality = 'bad';
  }
  return { value, quality, deviceTime, status };
}

function scalarFrom(raw: unknown, dataType: number | undefined): number | boolean | string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : String(raw);
  if (typeof raw === 'boolean' || typeof raw === 'string') return truncate(raw);
  if (typeof raw === 'bigint') return Number(raw);
  if (raw instanceof Date) return raw.getTime();
  if (
    Array.isArray(raw) &&
    raw.length === 2 &&
    (dataType === DATA_TYPE_INT64 || dataType === DATA_TYPE_UINT64)
  ) {
    const [high, low] = raw as [number, number];
    const signedHigh = dataType === DATA_TYPE_INT64 ? high | 0 : high;
    return signedHigh * 2 ** 32 + low;
  }
  if (typeof raw === 'object' && raw !== null && 'text' in raw) {
    const text = (raw as { text?: unknown }).text;
    return typeof text === 'string' ? truncate(text) : undefined;
  }
  // Arrays, typed arrays and structures are not plant sensor values; keep them visible rather than drop them.
  try {
    return truncate(
      JSON.stringify(ArrayBuffer.isView(raw) ? Array.from(raw as unknown as ArrayLike<number>) : raw),
    );
  } catch {
    return truncate(String(raw));
  }
}

function truncate<T>(v: T): T | string {
  return typeof v === 'string' && v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
}
