import type { EventEmitter } from 'node:events';
import type { ModbusClient } from './client.js';

export interface TransportEvents {
  /** The link (serial adapter or TCP connection) came up or went down; `detail` says why. */
  state: [online: boolean, detail: string];
}

/**
 * One Modbus link shared by every slave on it. Guarantees: `client()` is non-null only while the link is up;
 * after 'state' false it is null until the transport has reconnected by itself (with backoff). `stop()`
 * closes the link and stops reconnecting. It never throws to its owner.
 */
export interface ModbusTransport extends EventEmitter<TransportEvents> {
  readonly kind: 'rtu' | 'tcp';
  client(): ModbusClient | null;
  start(): void;
  stop(): Promise<void>;
}
