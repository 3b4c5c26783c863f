import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy between the connector and an OPC UA server that can "blip": drop every connection and refuse
 * new ones for a while, as a switch reboot or a pulled cable does. Counts the OPC UA requests (final MSG
 * chunks, OPC UA Part 6 §7.1.2) it forwards to the server, so a test can bound the request rate at the wire.
 */
export class TcpBlipProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<[Socket, Socket]>();
  private downUntil = 0;
  /** Final `MSG` chunks forwarded client → server: one per service request. */
  requestsForwarded = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    const addr = this.server?.address();
    if (!addr || typeof addr !== 'object') throw new Error('proxy not started');
    return `opc.tcp://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Drop all connections now and refuse (accept, then reset) every new one for `ms`. */
  blip(ms: number): void {
    this.downUntil = Date.now() + ms;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  private accept(client: Socket): void {
    if (Date.now() < this.downUntil) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = this.countRequests(Buffer.concat([pending, chunk]));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.connect(this.targetPort, '127.0.0.1');
  }

  /** Walks whole chunks (8-byte header: type, chunk kind, little-endian size); returns the incomplete rest. */
  private countRequests(buf: Buffer): Buffer {
    let offset = 0;
    while (buf.length - offset >= 8) {
      const size = buf.readUInt32LE(offset + 4);
      if (size < 8 || buf.length - offset < size) break;
      if (buf.toString('latin1', offset, offset + 4) === 'MSGF') this.requestsForwarded++;
      offset += size;
    }
    return buf.subarray(offset);
  }

  async stop(): Promise<void> {
    this.blip(0);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
