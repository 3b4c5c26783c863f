import type { DeviceKind } from '../../../shared/src/device-contract.js';

export interface DeviceLocation {
  zone?: string;
  aisle?: string;
  fixture?: string;
  shelf?: string;
  lane?: string;
  door?: string;
}

export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  location: DeviceLocation;
  labels: Record<string, string>;
  createdAt: number;
  lastSeenAt: number | null;
  firmware: string | null;
}

export interface NewDevice {
  id: string;
  kind: DeviceKind;
  location?: DeviceLocation;
  labels?: Record<string, string>;
}

/**
 * Devices and their credentials. Guarantees: secrets are never stored or returned after creation/rotation,
 * only their scrypt hashes are kept; `verifySecret` runs in constant time per call whether or not the id exists
 * (so a timing probe cannot enumerate device ids); `touch` is cheap (batched writes) and safe on the hot path.
 */
export interface DeviceRegistry {
  get(id: string): DeviceRecord | undefined;
  list(): DeviceRecord[];
  /** Returns the plaintext secret exactly once. Throws SG_DEVICE_EXISTS / SG_BAD_ARGUMENT. */
  add(device: NewDevice): { device: DeviceRecord; secret: string };
  remove(id: string): boolean;
  /** New secret, old one stops working at once. Throws SG_DEVICE_UNKNOWN. */
  rotateSecret(id: string): string;
  verifySecret(id: string, secret: string): Promise<boolean>;
  /** When the device's secret was last set (add or rotate); undefined for an unknown device. */
  secretChangedAt(id: string): number | undefined;
  /** Record that a device was seen (last-seen, optional firmware); persisted in batches. */
  touch(id: string, at: number, firmware?: string): void;
  close(): void;
}
