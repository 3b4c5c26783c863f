import type { EventEmitter } from 'node:events';
import type { Quality, ReadingBody } from '../../../shared/src/readings.js';
import type { SerialLink } from '../transport/port.js';

/** What a device told us about itself when the link came up (hello, MT-SICS I4, or configured). */
export interface DeviceIdentity {
  kind: string;
  firmware?: string;
  hardware?: string;
  serialNumber?: string;
  deviceId?: string;
}

export interface DriverReading {
  body: ReadingBody;
  /** Device-clock time of the reading (epoch ms), null if the device has no usable clock. */
  deviceTime: number | null;
  quality: Quality;
}

export interface DriverEvents {
  reading: [reading: DriverReading];
  /** Bytes or messages that were refused: counted per reason by the caller, logged throttled. */
  reject: [reason: string, detail: string];
}

/**
 * One protocol on one open link. `start` identifies the device and rejects if it does not answer in time
 * (the supervisor then closes the port and retries with backoff); `stop` releases timers and waiters and
 * is called once when the link closes or the supervisor stops.
 */
export interface SerialDriver extends EventEmitter<DriverEvents> {
  start(link: SerialLink): Promise<DeviceIdentity>;
  stop(): void;
  /** Epoch ms of the last bytes that made sense (liveness watchdog). */
  readonly lastActivityAt: number;
}
