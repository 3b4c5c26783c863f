import { EventEmitter } from 'node:events';
import { Backoff } from '../../../../shared/src/backoff.js';
import type { Clock } from '../../../../shared/src/clock.js';
import { createModbusClient, type ModbusClient } from './client.js';
import type { ModbusTransport, TransportEvents } from './transport.js';

export interface TcpTransportOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/** Modbus TCP through modbus-serial, reconnected with capped exponential backoff after any loss. */
export class TcpTransport extends EventEmitter<TransportEvents> implements ModbusTransport {
  readonly kind = 'tcp';
  private current: ModbusClient | null = null;
  private readonly backoff: Backoff;
  private running = false;
  private generation = 0;

  constructor(
    private readonly opts: TcpTransportOptions,
    clock: Clock,
  ) {
    super();
    this.backoff = new Backoff(clock, { initialMs: opts.backoffInitialMs, maxMs: opts.backoffMaxMs });
  }

  client(): ModbusClient | null {
    return this.current;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    const client = createModbusClient();
    try {
      await client.connectTCP(this.opts.host, { port: this.opts.port, timeout: this.opts.connectTimeoutMs });
    } catch (err) {
      client.close(() => {});
      if (gen === this.generation)
        this.scheduleRetry(`connect ${this.opts.host}:${this.opts.port}: ${(err as Error).message}`);
      return;
    }
    if (gen !== this.generation || !this.running) return void client.close(() => {});
    this.backoff.reset();
    this.current = client;
    client.on('close', () => this.lost(gen, client, 'connection closed'));
    client.on('error', (err: unknown) =>
      this.lost(gen, client, `connection error: ${(err as Error).message}`),
    );
    this.emit('state', true, `${this.opts.host}:${this.opts.port}`);
  }

  private lost(gen: number, client: ModbusClient, reason: string): void {
    if (gen !== this.generation || this.current !== client) return;
    this.current = null;
    client.close(() => {});
    this.scheduleRetry(reason);
  }

  private scheduleRetry(reason: string): void {
    if (!this.running) return;
    this.backoff.schedule(() => void this.connect());
    // one 'down' per outage: the first failed attempt after being up (or at start)
    if (this.backoff.attempts === 1) this.emit('state', false, reason);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.backoff.cancel();
    const client = this.current;
    this.current = null;
    if (client) await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
