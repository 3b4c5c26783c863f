import { createRequire } from 'node:module';
import type { Logger } from '../../../shared/src/logger.js';

/**
 * The sd_notify(3) protocol: `KEY=VALUE` lines in one datagram to the unix socket systemd names in
 * `NOTIFY_SOCKET`. Node has no unix datagram sockets in core; `unix-dgram` (built from source with node-gyp,
 * no prebuilt download) sends them from this process itself, so systemd's default `NotifyAccess=main`
 * accepts them — a `systemd-notify` child would be another pid and need `NotifyAccess=all`.
 */
interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', fn: (err: Error) => void): void;
}

export interface Notifier {
  /** Whether a notify socket was given (running under a `Type=notify` unit or a test harness). */
  readonly enabled: boolean;
  /** Watchdog ping interval (half of `WATCHDOG_USEC`), or null when systemd did not ask for pings. */
  readonly watchdogIntervalMs: number | null;
  send(state: Record<string, string | number>): void;
  close(): void;
}

const DISABLED: Notifier = { enabled: false, watchdogIntervalMs: null, send() {}, close() {} };

/** The notifier for this process's environment; a no-op outside systemd. */
export function openNotifier(env: NodeJS.ProcessEnv, logger: Logger, pid = process.pid): Notifier {
  const path = env.NOTIFY_SOCKET;
  if (!path) return DISABLED;
  if (path.startsWith('@')) {
    // unix-dgram copies the path with strncpy, so an abstract-namespace name (leading NUL) cannot be reached.
    logger.warn(
      { notify_socket: path },
      'systemd notify: abstract socket names are not supported; not notifying',
    );
    return DISABLED;
  }
  let socket: DgramSocket;
  try {
    const unixDgram = createRequire(import.meta.url)('unix-dgram') as {
      createSocket(type: 'unix_dgram'): DgramSocket;
    };
    socket = unixDgram.createSocket('unix_dgram');
  } catch (err) {
    logger.warn({ err }, 'systemd notify: unix-dgram unavailable; not notifying');
    return DISABLED;
  }
  socket.on('error', (err) => logger.warn({ err }, 'systemd notify: socket error'));
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === pid;
  const watchdogIntervalMs = Number.isFinite(usec) && usec > 0 && forUs ? Math.max(50, usec / 2000) : null;
  let failures = 0;
  return {
    enabled: true,
    watchdogIntervalMs,
    send(state) {
      const text = Object.entries(state)
        .map(([k, v]) => `${k}=${String(v).replace(/\n/g, ' ')}`)
        .join('\n');
      const buf = Buffer.from(text, 'utf8');
      socket.send(buf, 0, buf.length, path, (err) => {
        if (!err) return;
        // Throttled: a vanished socket would otherwise log on every watchdog ping.
        if (failures++ % 100 === 0) logger.warn({ err, failures }, 'systemd notify: send failed');
      });
    },
    close() {
      socket.close();
    },
  };
}
