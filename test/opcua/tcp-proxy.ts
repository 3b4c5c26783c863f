import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy between the connector and an OPC UA server that can "blip": drop every connection and refuse
 * new ones for a while, as a switch reboot or a pulled cable does.
 */
export class TcpBlipProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<[Socket, Socket]>();
  private downUntil = 0;

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
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.connect(this.targetPort, '127.0.0.1');
  }

  async stop(): Promise<void> {
    this.blip(0);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
