import { createHash } from 'node:crypto';

/**
 * Deterministic event ids for events derived from a device message that carries a `msg_id`
 * (docs/outbox.md "Device resends"). The same message sent again — after a lost PUBACK, a device reboot or a
 * gateway restart — yields the same ids, so the cloud's deduplication on `id` also covers device resends.
 *
 * An RFC 9562 UUIDv5 (SHA-1, name-based) of `store \0 device \0 msg_id \0 event type \0 ordinal`, under the
 * namespace below. `ordinal` counts events of one type derived from the same message (0 for the first).
 */
export const EVENT_ID_NAMESPACE = '8f0b6c52-3d2e-5b8a-9c41-6a7d0e1f2b3c';

const namespaceBytes = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

export interface EventIdKey {
  store: string;
  device: string;
  msgId: string;
  type: string;
  ordinal: number;
}

export function deriveEventId(key: EventIdKey): string {
  const name = `${key.store}\0${key.device}\0${key.msgId}\0${key.type}\0${key.ordinal}`;
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
