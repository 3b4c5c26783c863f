import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy between an MQTT client and the broker that can lose acknowledgements: while `swallow` is on,
 * everything the broker sends to the client is dropped (the PUBACK or PUBREC of what the client publishes),
 * what the client sends still arrives. `cut()` then drops the connections, as a Wi-Fi roam does, so the client
 * reconnects and resends what it never saw acknowledged.
 */
export class AckLossProxy {
  swallow = false;
  private server: Server | null = null;
  private readonly pairs = new Set<[Socket, Socket]>();

  constructor(private readonly targetPort: number) {}

  get url(): string {
    const addr = this.server?.address();
    if (!addr || typeof addr !== 'object') throw new Error('proxy not started');
    return `mqtt://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  cut(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  private accept(client: Socket): void {
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
    upstream.on('data', (chunk: Buffer) => {
      if (!this.swallow) client.write(chunk);
    });
    upstream.connect(this.targetPort, '127.0.0.1');
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
