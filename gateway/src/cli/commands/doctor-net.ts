import { createConnection, createServer } from 'node:net';

/** Network probes for `storegate doctor`: bind a port, open a TCP connection, ask a storegate for /healthz. */

export type BindResult = { ok: true } | { ok: false; code: string; message: string };

export function tryBind(host: string, port: number): Promise<BindResult> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: err.code ?? 'UNKNOWN', message: err.message }),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ ok: true })));
  });
}

export function tcpConnect(host: string, port: number, timeoutMs = 3_000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** What a storegate answering /healthz says of itself (data_dir only to a caller on the same machine). */
export async function gatewayAt(
  host: string,
  port: number,
  timeoutMs = 2_000,
): Promise<{ store: string; dataDir: string | null } | null> {
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { status?: unknown; store?: unknown; data_dir?: unknown };
    if (typeof body.status !== 'string' || typeof body.store !== 'string') return null;
    return { store: body.store, dataDir: typeof body.data_dir === 'string' ? body.data_dir : null };
  } catch {
    return null;
  }
}

/** If a storegate answers /healthz on this port, its store id; else null. */
export async function storegateAt(host: string, port: number, timeoutMs = 2_000): Promise<string | null> {
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { status?: unknown; store?: unknown };
    return typeof body.status === 'string' && typeof body.store === 'string' ? body.store : null;
  } catch {
    return null;
  }
}

/** host and port of a URL, with the scheme's default port. */
export function endpointOf(url: string): { host: string; port: number } | null {
  const defaults: Record<string, number> = {
    'mqtt:': 1883,
    'mqtts:': 8883,
    'ws:': 80,
    'wss:': 443,
    'http:': 80,
    'https:': 443,
    'opc.tcp:': 4840,
  };
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : defaults[u.protocol];
    if (!u.hostname || port === undefined) return null;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return null;
  }
}

/** Where a local client reaches a listener bound to `host` (wildcards mean loopback works). */
export function localAddress(host: string): string {
  return host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
}
