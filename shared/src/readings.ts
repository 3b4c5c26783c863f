/**
 * The one normalized reading type every connector produces (MQTT, serial, GPIO, OPC UA, replay).
 * Processors consume only this; nothing downstream knows which wire a reading came from.
 */

export type ConnectorSource = 'mqtt' | 'serial' | 'gpio' | 'opcua' | 'replay' | 'internal';

/** `good`: as measured; `uncertain`: plausible but flagged (clock skew, device-reported motion…); `bad`: a known fault. */
export type Quality = 'good' | 'uncertain' | 'bad';

export type ScaleStatus = 'stable' | 'motion' | 'zero' | 'under' | 'over';

export type PosEventName =
  | 'basket-open'
  | 'payment-start'
  | 'payment-success'
  | 'basket-close'
  | 'transaction';

export interface ReadingMeta {
  deviceId: string;
  /** When the device says the reading was taken (epoch ms), or null if the device sent no timestamp. */
  deviceTime: number | null;
  /** When the gateway received it (epoch ms, gateway clock). Never re-stamped later. */
  receivedAt: number;
  quality: Quality;
  source: ConnectorSource;
}

export interface ShelfWeightBody {
  type: 'shelf.weight';
  channel: number;
  /** Samples in grams, oldest first; a single sample is an array of one. */
  grams: number[];
  /** Sample rate of a batch; absent for a single sample. */
  hz?: number;
}

export interface DoorCountBody {
  type: 'door.count';
  /** Cumulative hardware counters as reported; deltas, rollover and resets are the processor's job. */
  in: number;
  out: number;
}

export interface DoorBeamBody {
  type: 'door.beam';
  beam: 'a' | 'b';
  blocked: boolean;
}

export interface CameraLineBody {
  type: 'camera.line';
  line: string;
  /** Cumulative crossings as reported by the camera. */
  in: number;
  out: number;
}

export interface CameraZoneBody {
  type: 'camera.zone';
  zone: string;
  count: number;
}

export interface ScanBody {
  type: 'scanner.scan';
  code: string;
  symbology?: string;
}

export interface ScaleReadingBody {
  type: 'scale.reading';
  grams: number;
  status: ScaleStatus;
}

export interface DeviceStatusBody {
  type: 'device.status';
  firmware?: string;
  uptimeS?: number;
  rssiDbm?: number;
  batteryPct?: number;
}

export interface PosEventBody {
  type: 'pos.event';
  event: PosEventName;
  lane?: string;
  transactionId?: string;
}

export interface PlantValueBody {
  type: 'plant.value';
  /** Point name, e.g. an OPC UA node's browse path or configured alias. */
  point: string;
  value: number | boolean | string;
  unit?: string;
}

export type ReadingBody =
  | ShelfWeightBody
  | DoorCountBody
  | DoorBeamBody
  | CameraLineBody
  | CameraZoneBody
  | ScanBody
  | ScaleReadingBody
  | DeviceStatusBody
  | PosEventBody
  | PlantValueBody;

export type Reading = ReadingMeta & ReadingBody;
export type ReadingType = ReadingBody['type'];
export type ReadingOf<T extends ReadingType> = ReadingMeta & Extract<ReadingBody, { type: T }>;

/** The time a processor should use for a reading: the device's own if it sent one, else receipt time. */
export function readingTime(r: ReadingMeta): number {
  return r.deviceTime ?? r.receivedAt;
}

/**
 * Readings whose QoS 1 publish is acknowledged only once durable (issue: store-and-forward).
 * Shelf samples are high-rate telemetry and are acknowledged on receipt.
 */
export const MUST_DELIVER_READINGS: ReadonlySet<ReadingType> = new Set<ReadingType>([
  'door.count',
  'door.beam',
  'camera.line',
  'scanner.scan',
  'scale.reading',
  'pos.event',
]);
