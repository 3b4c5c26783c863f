import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';

export type ListenerName = 'tcp' | 'tls' | 'ws';

/** Called for every accepted connection; the broker decides whether to serve it. */
export type ConnectionHandler = (
  conn: Duplex,
  meta: { listener: ListenerName; remoteAddress: string; req?: IncomingMessage },
) => void;

export interface Listener {
  readonly name: ListenerName;
  address(): AddressInfo;
  close(): Promise<void>;
}

function listen(server: NetServer | HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function boundAddress(server: NetServer | HttpServer): AddressInfo {
  const addr = server.address();
  // Assert: only called on a listener whose listen() resolved.
  if (!addr || typeof addr === 'string') throw new Error('listener is not bound');
  return addr;
}

export async function startTcpListener(
  host: string,
  port: number,
  onConn: ConnectionHandler,
): Promise<Listener> {
  // noDelay: acks are tiny and latency-bound; Nagle + the device's delayed ACK would hold them ~40 ms
  const server = createNetServer({ noDelay: true }, (socket: Socket) =>
    onConn(socket, { listener: 'tcp', remoteAddress: socket.remoteAddress ?? 'unknown' }),
  );
  await listen(server, host, port);
  return { name: 'tcp', address: () => boundAddress(server), close: () => closeServer(server) };
}

export interface TlsFiles {
  cert: string;
  key: string;
  ca?: string | undefined;
}

/** With a CA bundle, device client certificates are required and verified (mutual TLS) on top of passwords. */
export async function startTlsListener(
  host: string,
  port: number,
  files: TlsFiles,
  onConn: ConnectionHandler,
): Promise<Listener> {
  const ca = files.ca ? readFileSync(files.ca) : undefined;
  const server = createTlsServer(
    {
      cert: readFileSync(files.cert),
      key: readFileSync(files.key),
      ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
    },
    (socket) => onConn(socket, { listener: 'tls', remoteAddress: socket.remoteAddress ?? 'unknown' }),
  );
  // a failed handshake (plain MQTT on the TLS port, bad client cert) must not surface as a process error
  server.on('tlsClientError', () => {});
  await listen(server, host, port);
  return { name: 'tls', address: () => boundAddress(server), close: () => closeServer(server) };
}

export async function startWebSocketListener(
  host: string,
  port: number,
  path: string,
  maxPayload: number,
  onConn: ConnectionHandler,
): Promise<Listener> {
  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  const wss = new WebSocketServer({
    server: http,
    path,
    maxPayload,
    handleProtocols: (p) => (p.has('mqtt') ? 'mqtt' : false),
  });
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on('error', () => ws.terminate());
    onConn(stream, { listener: 'ws', remoteAddress: req.socket.remoteAddress ?? 'unknown', req });
  });
  await listen(http, host, port);
  return {
    name: 'ws',
    address: () => boundAddress(http),
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await closeServer(http);
    },
  };
}
