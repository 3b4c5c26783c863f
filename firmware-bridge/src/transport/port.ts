import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';

/**
 * An open serial link. Guarantees (as serialport's bindings interface): bytes written are sent in order;
 * 'data' delivers received bytes; 'close' is emitted exactly once, also when the device disappears
 * (unplug, PTY torn down) while the link is being read (serialport polls only then), after which the link
 * is unusable.
 */
export interface SerialLink extends Duplex {
  close(callback?: (err?: Error | null) => void): void;
  readonly isOpen: boolean;
}

export interface PortOpener {
  /** Opens `path`; rejects with a descriptive error (ENOENT, EBUSY/lock, EACCES) if it cannot. */
  open(path: string, baudRate: number): Promise<SerialLink>;
}

/** Real serial ports (and PTYs) through node-serialport; locks the port so two openers cannot interleave. */
export const serialPortOpener: PortOpener = {
  open(path, baudRate) {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
      port.open((err) => {
        if (err) reject(err);
        else resolve(port as unknown as SerialLink);
      });
    });
  },
};
