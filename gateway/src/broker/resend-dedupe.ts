import { createHash } from 'node:crypto';
import { RecentKeys } from '../connectors/mqtt-devices/recent-keys.js';

/**
 * Recognises a device's QoS 1/2 resend of a PUBLISH the gateway already ingested, by client session and packet
 * id (docs/device-protocol.md "Resends"). A client resends an unacknowledged PUBLISH with the same packet id
 * after it reconnects (MQTT 3.1.1 §4.4) — a QoS 1 one whose PUBACK was lost, a QoS 2 one whose PUBREC was lost
 * (aedes runs authorizePublish, where readings are ingested, before its own QoS 2 duplicate check).
 *
 * A publish is a resend when its client id sent the same packet id with the same payload (SHA-1) within
 * `maxAgeMs`, and either the DUP flag is set or the earlier one came on a previous connection and this
 * connection is at most `graceMs` old. mqtt.js resends without the DUP flag, right after CONNACK, hence the
 * second rule; on one connection a packet id without DUP is always a new message.
 */
export const RESEND_MEMORY = { perOwner: 64, maxOwners: 10_000, maxAgeMs: 300_000, graceMs: 60_000 };

const SETTLED: Promise<void> = Promise.resolve();

interface Sent {
  hash: string;
  connection: number;
  /** Settles when the original is durable (must-deliver) or handed over; a failure forgets it. */
  ingested: Promise<void>;
}

export interface ConnectionRef {
  /** Distinct per network connection. */
  serial: number;
  connectedAt: number;
}

export interface PublishRef {
  clientId: string;
  messageId: number;
  dup: boolean;
  payload: Buffer;
}

export class ResendDedupe {
  private readonly sent = new RecentKeys<Sent>(RESEND_MEMORY);

  /**
   * The original's ingest promise when `packet` is a resend of it; otherwise undefined, and `record` must be
   * called once the publish was handed to the connector.
   */
  check(packet: PublishRef, conn: ConnectionRef, now: number): { resend: Promise<void> } | { hash: string } {
    const hash = createHash('sha1').update(packet.payload).digest('base64');
    const prior = this.sent.get(packet.clientId, packet.messageId, now);
    if (prior && prior.hash === hash) {
      const fromEarlierConnection =
        prior.connection !== conn.serial && now - conn.connectedAt <= RESEND_MEMORY.graceMs;
      if (packet.dup || fromEarlierConnection) return { resend: prior.ingested };
    }
    return { hash };
  }

  record(packet: PublishRef, hash: string, conn: ConnectionRef, ingested: Promise<void>, now: number): void {
    const entry: Sent = { hash, connection: conn.serial, ingested };
    this.sent.set(packet.clientId, packet.messageId, entry, now);
    ingested.then(
      () => {
        entry.ingested = SETTLED; // the entry keeps a shared resolved promise, not this one
      },
      () => this.sent.deleteIf(packet.clientId, packet.messageId, entry),
    );
  }

  /** Entries held (bounded by RESEND_MEMORY). */
  size(): number {
    return this.sent.size();
  }
}
