import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';

/** What the uplink did, for `status`, `outbox.status` and /metrics (prom metrics when a registry is given). */
export class UplinkStats {
  eventsSent = 0;
  messagesSent = 0;
  bytesSent = 0;
  reconnects = 0;
  offlineSince: number | null = null;
  offlineMsTotal = 0;
  lastSentAt: number | null = null;
  private rateWindowStart: number;
  private rateWindowEvents = 0;
  private rate = 0;
  private readonly commands: Counter<'command' | 'status'> | null = null;

  constructor(
    private readonly clock: Clock,
    registry: Registry | undefined,
    inflight: () => number,
  ) {
    this.rateWindowStart = clock.now();
    if (!registry) return;
    const registers = [registry];
    const self = this;
    new Gauge({
      name: 'storegate_uplink_connected',
      help: '1 while the cloud connection is up',
      registers,
      collect() {
        this.set(self.offlineSince === null ? 1 : 0);
      },
    });
    new Gauge({
      name: 'storegate_uplink_offline_seconds',
      help: 'Duration of the current cloud outage (0 when connected)',
      registers,
      collect() {
        this.set(self.offlineSince === null ? 0 : (self.clock.now() - self.offlineSince) / 1000);
      },
    });
    new Gauge({
      name: 'storegate_uplink_offline_seconds_total',
      help: 'Total time without a cloud connection since start',
      registers,
      collect() {
        this.set(self.offlineMs() / 1000);
      },
    });
    new Gauge({
      name: 'storegate_uplink_send_rate_events_per_second',
      help: 'Events acknowledged by the cloud per second (recent window)',
      registers,
      collect() {
        this.set(self.sendRate());
      },
    });
    new Gauge({
      name: 'storegate_uplink_inflight_messages',
      help: 'Batch messages awaiting PUBACK',
      registers,
      collect() {
        this.set(inflight());
      },
    });
    for (const [name, help, get] of [
      [
        'storegate_uplink_events_sent_total',
        'Events acknowledged by the cloud broker',
        () => self.eventsSent,
      ],
      [
        'storegate_uplink_messages_sent_total',
        'Batch messages acknowledged by the cloud broker',
        () => self.messagesSent,
      ],
      [
        'storegate_uplink_bytes_sent_total',
        'Payload bytes of acknowledged batch messages',
        () => self.bytesSent,
      ],
      ['storegate_uplink_reconnects_total', 'Reconnect attempts scheduled', () => self.reconnects],
    ] as const) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(get());
        },
      });
    }
    this.commands = new Counter({
      name: 'storegate_uplink_commands_total',
      help: 'Cloud commands answered, by command and status',
      labelNames: ['command', 'status'],
      registers,
    });
  }

  sent(events: number, bytes: number): void {
    this.eventsSent += events;
    this.messagesSent++;
    this.bytesSent += bytes;
    this.rateWindowEvents += events;
    this.lastSentAt = this.clock.now();
  }

  /** Events/s over the last window of at least 5 s. */
  sendRate(): number {
    const now = this.clock.now();
    const span = now - this.rateWindowStart;
    if (span >= 5_000) {
      this.rate = (this.rateWindowEvents * 1000) / span;
      this.rateWindowStart = now;
      this.rateWindowEvents = 0;
    }
    return this.rate;
  }

  wentOffline(): void {
    if (this.offlineSince === null) this.offlineSince = this.clock.now();
  }

  cameOnline(): void {
    if (this.offlineSince !== null) this.offlineMsTotal += this.clock.now() - this.offlineSince;
    this.offlineSince = null;
  }

  offlineMs(): number {
    return this.offlineMsTotal + (this.offlineSince === null ? 0 : this.clock.now() - this.offlineSince);
  }

  reconnectScheduled(): void {
    this.reconnects++;
  }

  command(name: string, status: string): void {
    this.commands?.inc({ command: name, status });
  }
}
