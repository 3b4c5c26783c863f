import { type DeviceKind, deviceKinds } from '../../../shared/src/device-contract.js';
import { StoregateError } from '../core/errors.js';
import type { DeviceLocation, DeviceRecord, NewDevice } from '../ports/device-registry.js';

/** Row shape of the `devices` table and its mapping to the port's DeviceRecord, plus input validation. */
export interface DeviceRow {
  id: string;
  kind: string;
  zone: string | null;
  aisle: string | null;
  fixture: string | null;
  shelf: string | null;
  lane: string | null;
  door: string | null;
  labels: string;
  created_at: number;
  last_seen_at: number | null;
  firmware: string | null;
}

export const LOCATION_KEYS = ['zone', 'aisle', 'fixture', 'shelf', 'lane', 'door'] as const;
export type LocationKey = (typeof LOCATION_KEYS)[number];

/** Same rule as labels in the device contract: MQTT topic levels and client ids must stay plain. */
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_LABELS = 32;
const MAX_LABEL_VALUE = 128;

export function isValidDeviceId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function badArgument(message: string, hint?: string): StoregateError {
  return new StoregateError('SG_BAD_ARGUMENT', message, hint ? { hint } : undefined);
}

export function assertDeviceId(id: string): void {
  if (!isValidDeviceId(id)) {
    throw badArgument(
      `invalid device id ${JSON.stringify(id)}`,
      'use 1-64 letters, digits and _ . : - (it becomes an MQTT topic level and client id)',
    );
  }
}

export function assertKind(kind: string): asserts kind is DeviceKind {
  if (!(deviceKinds as readonly string[]).includes(kind)) {
    throw badArgument(
      `unknown device kind ${JSON.stringify(kind)}`,
      `valid kinds: ${deviceKinds.join(', ')}`,
    );
  }
}

/** Validate and normalise a new device; throws SG_BAD_ARGUMENT with the field at fault. */
export function validateNewDevice(device: NewDevice): Required<NewDevice> {
  assertDeviceId(device.id);
  assertKind(device.kind);
  const location: DeviceLocation = {};
  for (const [key, value] of Object.entries(device.location ?? {})) {
    if (!(LOCATION_KEYS as readonly string[]).includes(key)) {
      throw badArgument(`unknown location field ${JSON.stringify(key)}`, `use ${LOCATION_KEYS.join(', ')}`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
      throw badArgument(
        `invalid location ${key}=${JSON.stringify(value)}`,
        '1-64 letters, digits and _ . : -',
      );
    }
    location[key as LocationKey] = value;
  }
  const labels: Record<string, string> = {};
  const entries = Object.entries(device.labels ?? {});
  if (entries.length > MAX_LABELS) throw badArgument(`too many labels (${entries.length} > ${MAX_LABELS})`);
  for (const [key, value] of entries) {
    if (!ID_PATTERN.test(key)) {
      throw badArgument(`invalid label key ${JSON.stringify(key)}`, '1-64 letters, digits and _ . : -');
    }
    if (typeof value !== 'string' || value.length > MAX_LABEL_VALUE) {
      throw badArgument(`label ${key} must be a string of at most ${MAX_LABEL_VALUE} characters`);
    }
    labels[key] = value;
  }
  return { id: device.id, kind: device.kind, location, labels };
}

export function rowToRecord(row: DeviceRow): DeviceRecord {
  const location: DeviceLocation = {};
  for (const key of LOCATION_KEYS) {
    const value = row[key];
    if (value !== null) location[key] = value;
  }
  let labels: Record<string, string> = {};
  try {
    labels = JSON.parse(row.labels) as Record<string, string>;
  } catch {
    // A hand-edited row must not take the registry down; it just loses its labels in the view.
  }
  return {
    id: row.id,
    kind: row.kind as DeviceKind,
    location,
    labels,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    firmware: row.firmware,
  };
}
