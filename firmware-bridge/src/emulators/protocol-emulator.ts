import type { Duplex } from 'node:stream';
import { type Clock, systemClock, type TimerHandle } from '../../../shared/src/clock.js';
import { PayloadError } from '../protocol/bytes.js';
import { type CommandArgs, decodeArgs, encodeResult } from '../protocol/commands.js';
import { type CommandName, ConfigKey, ErrorCode, type SerialDeviceKind } from '../protocol/constants.js';
import type { Message } from '../protocol/messages.js';
import { Session } from '../session.js';
import { Bootloader } from './bootloader.js';

export interface EmulatorIdentity {
  deviceId: string;
  serialNumber: string;
  hardware: string;
  firmware: string;
}

export type CommandReply = { error: number; data?: Buffer };

/**
 * Firmware side of the Storegate protocol: hello on boot and on identify, heartbeats, commands with error
 * codes, and the bootloader for firmware update. Subclasses add their sensor stream in onBoot()/onHalt().
 */
export abstract class ProtocolEmulator {
  readonly bootloader = new Bootloader();
  protected session: Session | null = null;
  private link: Duplex | null = null;
  protected bootAt: number;
  protected readonly config = new Map<number, number>();
  private timers: TimerHandle[] = [];
  private rebooting = false;
  /** Frames the host sent that failed CRC/COBS, reported in heartbeats. */
  private rxErrors = 0;

  constructor(
    readonly kind: SerialDeviceKind,
    readonly channels: number,
    readonly identity: EmulatorIdentity,
    protected readonly clock: Clock = systemClock(),
  ) {
    this.bootAt = clock.now();
    this.config.set(ConfigKey.heartbeatMs, 5_000);
  }

  attach(link: Duplex): void {
    this.detach();
    const session = new Session(link, this.clock);
    this.session = session;
    this.link = link;
    session.on('message', (m, seq) => this.onMessage(m, seq));
    session.on('reject', () => this.rxErrors++);
    this.boot();
  }

  detach(): void {
    this.halt();
    this.session?.close('emulator detached');
    this.session = null;
    this.link = null;
  }

  get uptimeMs(): number {
    return Math.max(0, Math.round(this.clock.now() - this.bootAt)) >>> 0;
  }

  protected send(m: Message): void {
    if (!this.session || this.link?.writable === false) return; // link gone: a UART just drops bytes
    this.session.send(m);
  }

  /** A periodic task locked to its start time (like a crystal-driven firmware tick): no cumulative drift. */
  protected every(ms: number, fn: () => void): void {
    const slot = this.timers.length;
    let due = this.clock.now() + ms;
    const tick = () => {
      fn();
      due += ms;
      this.timers[slot] = this.clock.setTimeout(tick, Math.max(0, due - this.clock.now()));
    };
    this.timers.push(this.clock.setTimeout(tick, ms));
  }

  protected abstract onBoot(): void;
  protected onHalt(): void {}
  protected abstract handleCommand(name: CommandName, args: unknown): CommandReply;

  private boot(): void {
    this.hello();
    this.every(this.config.get(ConfigKey.heartbeatMs)!, () =>
      this.send({
        type: 'heartbeat',
        uptimeMs: this.uptimeMs,
        rxCrcErrors: this.rxErrors & 0xffff,
        txDropped: 0,
        temperatureDeciC: 231,
      }),
    );
    this.onBoot();
  }

  private halt(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
    this.onHalt();
  }

  private hello(): void {
    this.send({
      type: 'hello',
      kind: this.kind,
      channels: this.channels,
      uptimeMs: this.uptimeMs,
      ...this.identity,
    });
  }

  /** Simulated reboot: silence for `ms`, uptime restarts, hello again. */
  reboot(ms = 300): void {
    if (this.rebooting) return;
    this.rebooting = true;
    this.halt();
    this.clock.setTimeout(() => {
      this.rebooting = false;
      this.bootAt = this.clock.now();
      if (this.session) this.boot();
    }, ms);
  }

  private onMessage(m: Message, seq: number): void {
    if (this.rebooting) return;
    if (m.type === 'identify') {
      this.hello();
      return;
    }
    if (m.type !== 'command') return;
    let reply: CommandReply | null;
    let name: CommandName | undefined;
    try {
      const decoded = decodeArgs(m.command, m.args);
      name = decoded?.name;
      reply = decoded ? this.dispatch(decoded.name, decoded.args) : { error: ErrorCode.unknownCommand };
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      reply = { error: ErrorCode.badArgument };
    }
    if (reply === null) return;
    this.send({
      type: 'response',
      requestSeq: seq,
      command: m.command,
      error: reply.error,
      data: reply.data ?? Buffer.alloc(0),
    });
    if (reply.error === ErrorCode.ok && (name === 'reboot' || name === 'fwApply')) this.reboot();
  }

  private dispatch(name: CommandName, args: unknown): CommandReply | null {
    const bl = this.bootloader;
    switch (name) {
      case 'readConfig': {
        const v = this.config.get((args as CommandArgs['readConfig']).key);
        return v === undefined
          ? { error: ErrorCode.badArgument }
          : { error: 0, data: encodeResult('readConfig', { value: v }) };
      }
      case 'writeConfig': {
        const a = args as CommandArgs['writeConfig'];
        if (!this.config.has(a.key)) return { error: ErrorCode.badArgument };
        this.config.set(a.key, a.value);
        return { error: ErrorCode.ok };
      }
      case 'reboot':
        return { error: ErrorCode.ok };
      case 'fwBegin': {
        const r = bl.begin(args as CommandArgs['fwBegin']);
        return { error: r.error, ...(r.result ? { data: encodeResult('fwBegin', r.result) } : {}) };
      }
      case 'fwChunk': {
        const r = bl.chunk(args as { offset: number; crc16: number; data: Buffer });
        if (r === null) return null;
        return { error: r.error, ...(r.result ? { data: encodeResult('fwChunk', r.result) } : {}) };
      }
      case 'fwVerify': {
        const r = bl.verify();
        return { error: r.error, ...(r.result ? { data: encodeResult('fwVerify', r.result) } : {}) };
      }
      case 'fwApply': {
        const r = bl.apply();
        if (r.version) this.identity.firmware = r.version;
        return { error: r.error };
      }
      default:
        return this.handleCommand(name, args);
    }
  }
}
