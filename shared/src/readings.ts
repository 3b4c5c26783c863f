/**
 * The one normalized reading type every connector produces (MQTT, serial, GPIO, OPC UA, replay).
 * Processors consume only this; nothing downstream knows which wire a reading came from. The bodies are
 * declared by the device kind definitions (`shared/src/devices/<kind>.ts`) and collected here.
 */
import type { ReadingMeta } from './devices/define.js';
import type { ReadingBody, ReadingType } from './devices/tables.js';

export type { CameraLineBody, CameraZoneBody } from './devices/camera.js';
export type { ColdSampleBody, EnergyMeterBody } from './devices/cold.js';
export type { ConnectorSource, Quality, ReadingMeta } from './devices/define.js';
export type { DoorBeamBody, DoorCountBody } from './devices/door.js';
export type { PlantValueBody } from './devices/plant.js';
export type { PosEventBody, PosEventName } from './devices/pos.js';
export type { ScaleReadingBody, ScaleStatus } from './devices/scale.js';
export type { ScanBody } from './devices/scanner.js';
export type { ShelfWeightBody } from './devices/shelf.js';
export type { DeviceStatusBody } from './devices/status.js';
export { MUST_DELIVER_READINGS, type ReadingBody, type ReadingType } from './devices/tables.js';

export type Reading = ReadingMeta & ReadingBody;
export type ReadingOf<T extends ReadingType> = ReadingMeta & Extract<ReadingBody, { type: T }>;

/** The time a processor should use for a reading: the device's own if it sent one, else receipt time. */
export function readingTime(r: ReadingMeta): number {
  return r.deviceTime ?? r.receivedAt;
}
