import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';

export interface Attachable {
  attach(link: Duplex): void;
  detach(): void;
}

/**
 * Keeps an emulator attached to a serial port path (a PTY end): when the port goes away (socat killed, cable
 * pulled) the emulator is detached and the path is retried until it reappears, like firmware that simply
 * keeps running while its USB cable is out.
 */
export function runOnPort(
  target: Attachable,
  path: string,
  opts: {
    baudRate?: number;
    retryMs?: number;
    onState?: (state: 'open' | 'closed', detail?: string) => void;
  } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let port: SerialPort | null = null;
  let timer: NodeJS.Timeout | null = null;

  const retry = () => {
    if (!stopped) timer = setTimeout(open, opts.retryMs ?? 200);
  };
  const open = () => {
    timer = null;
    const p = new SerialPort({ path, baudRate: opts.baudRate ?? 115_200, autoOpen: false, lock: false });
    p.open((err) => {
      if (err) return retry();
      if (stopped) return void p.close();
      port = p;
      target.attach(p);
      opts.onState?.('open');
      p.once('close', () => {
        target.detach();
        port = null;
        opts.onState?.('closed');
        retry();
      });
      p.on('error', () => {});
    });
  };
  open();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      target.detach();
      const p = port;
      port = null;
      if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    },
  };
}
