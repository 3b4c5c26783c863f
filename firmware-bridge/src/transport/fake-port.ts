import { Duplex } from 'node:stream';
import type { PortOpener, SerialLink } from './port.js';

class FakeLink extends Duplex implements SerialLink {
  isOpen = true;
  peer: FakeLink | null = null;
  constructor() {
    super({ allowHalfOpen: false, emitClose: false });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.isOpen) {
      done(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
      return;
    }
    this.peer?.push(Buffer.from(chunk));
    done();
  }
  close(callback?: (err?: Error | null) => void): void {
    if (!this.isOpen) return void callback?.(new Error('Port is not open'));
    this.hangUp();
    callback?.(null);
  }
  /** Both ends see 'close' once, as serialport does on unplug. */
  hangUp(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.push(null);
    this.emit('close');
    const peer = this.peer;
    this.peer = null;
    if (peer) {
      peer.peer = null;
      peer.hangUp();
    }
  }
}

/**
 * In-memory PortOpener honouring the SerialLink guarantees, with test controls: `plug(path)` makes a device
 * appear (returns the device-side Duplex, where an emulator attaches), `unplug(path)` hangs both ends up,
 * `failNextOpen` injects an open error (EBUSY, EACCES…).
 */
export class FakePortOpener implements PortOpener {
  private readonly devices = new Map<string, { device: FakeLink; host: FakeLink | null }>();
  failNextOpen: Error | null = null;
  opens = 0;

  plug(path: string): Duplex {
    this.unplug(path);
    const device = new FakeLink();
    this.devices.set(path, { device, host: null });
    return device;
  }

  unplug(path: string): void {
    const d = this.devices.get(path);
    if (!d) return;
    this.devices.delete(path);
    d.device.hangUp();
    d.host?.hangUp();
  }

  async open(path: string, _baudRate: number): Promise<SerialLink> {
    this.opens++;
    if (this.failNextOpen) {
      const err = this.failNextOpen;
      this.failNextOpen = null;
      throw err;
    }
    const d = this.devices.get(path);
    if (!d)
      throw Object.assign(new Error(`Error: No such file or directory, cannot open ${path}`), {
        code: 'ENOENT',
      });
    if (d.host?.isOpen)
      throw Object.assign(new Error(`Error Resource temporarily unavailable Cannot lock port`), {
        code: 'EBUSY',
      });
    const host = new FakeLink();
    host.peer = d.device;
    d.device.peer = host;
    d.host = host;
    return host;
  }
}
