import { EventEmitter } from 'node:events';
import type { Clock } from '../../../shared/src/clock.js';
import { StoregateError } from '../../../shared/src/errors.js';
import type { ReadingBody } from '../../../shared/src/readings.js';
import type { CommandArgs, CommandResult } from '../protocol/commands.js';
import type { CommandName, SerialDeviceKind } from '../protocol/constants.js';
import { type Message, sampleGrams } from '../protocol/messages.js';
import { Session } from '../session.js';
import type { SerialLink } from '../transport/port.js';
import { DeviceTimeBase } from './device-time.js';
import type { DeviceIdentity, DriverEvents, SerialDriver } from './driver.js';

export interface StoregateDriverOptions {
  /** Refuse a device whose hello reports another kind or serial number (a swapped cable). */
  expectKind?: SerialDeviceKind;
  expectSerial?: string;
  identifyTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** Our own firmware over the Storegate serial protocol (PROTOCOL.md). */
export class StoregateDriver extends EventEmitter<DriverEvents> implements SerialDriver {
  lastActivityAt = 0;
  session: Session | null = null;
  private readonly time = new DeviceTimeBase();
  private firmware: string | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly opts: StoregateDriverOptions = {},
  ) {
    super();
  }

  async start(link: SerialLink): Promise<DeviceIdentity> {
    const session = new Session(link, this.clock, this.opts.commandTimeoutMs ?? 2_000);
    this.session = session;
    session.on('reject', (reason, detail) => this.emit('reject', reason, detail));
    session.on('lost', (n) => this.emit('reject', 'sequence_gap', `${n} frame(s) lost`));
    session.on('message', (m) => this.onMessage(m));
    const hello = await session.identify(this.opts.identifyTimeoutMs ?? 2_000);
    const { expectKind, expectSerial } = this.opts;
    if (expectKind && hello.kind !== expectKind)
      throw new StoregateError('SG_IO', `device on port is a ${hello.kind}, expected ${expectKind}`);
    if (expectSerial && hello.serialNumber !== expectSerial) {
      throw new StoregateError(
        'SG_IO',
        `device on port has serial ${hello.serialNumber}, expected ${expectSerial}`,
      );
    }
    return {
      kind: hello.kind,
      firmware: hello.firmware,
      hardware: hello.hardware,
      serialNumber: hello.serialNumber,
      deviceId: hello.deviceId,
    };
  }

  stop(): void {
    this.session?.close('link closed');
    this.session = null;
    this.time.reset();
  }

  /** Send a command to the device (tare, calibrate, config, firmware update…). */
  command<K extends CommandName>(
    name: K,
    args: CommandArgs[K],
    timeoutMs?: number,
  ): Promise<CommandResult[K]> {
    if (!this.session) return Promise.reject(new Error('device offline'));
    return this.session.request(name, args, timeoutMs);
  }

  private out(body: ReadingBody, uptimeMs: number, now: number): void {
    this.emit('reading', { body, deviceTime: this.time.toEpoch(uptimeMs, now), quality: 'good' });
  }

  private onMessage(m: Message): void {
    const now = this.clock.now();
    this.lastActivityAt = now;
    switch (m.type) {
      case 'hello':
        this.time.reset();
        this.firmware = m.firmware;
        this.out(
          { type: 'device.status', firmware: m.firmware, uptimeS: Math.floor(m.uptimeMs / 1000) },
          m.uptimeMs,
          now,
        );
        return;
      case 'heartbeat':
        this.out(
          {
            type: 'device.status',
            ...(this.firmware ? { firmware: this.firmware } : {}),
            uptimeS: Math.floor(m.uptimeMs / 1000),
          },
          m.uptimeMs,
          now,
        );
        return;
      case 'shelfBatch':
        for (let c = 0; c < m.channels; c++) {
          const grams = new Array<number>(m.samples);
          for (let s = 0; s < m.samples; s++) grams[s] = Math.round(sampleGrams(m, s, c) * 100) / 100;
          this.out({ type: 'shelf.weight', channel: c, grams, hz: m.hz }, m.uptimeMs, now);
        }
        return;
      case 'scaleReading':
        this.out({ type: 'scale.reading', grams: m.milligrams / 1000, status: m.status }, m.uptimeMs, now);
        return;
      case 'doorBeam':
        this.out({ type: 'door.beam', beam: m.beam, blocked: m.blocked }, m.uptimeMs, now);
        return;
      case 'doorCount':
        this.out({ type: 'door.count', in: m.in, out: m.out }, m.uptimeMs, now);
        return;
      default:
        return; // responses are matched by the session; commands from a device are ignored
    }
  }
}
