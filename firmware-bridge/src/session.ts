import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../shared/src/clock.js';
import { StoregateError } from '../../shared/src/errors.js';
import { Waitress } from '../../shared/src/waitress.js';
import { PayloadError } from './protocol/bytes.js';
import {
  type CommandArgs,
  type CommandResult,
  DeviceCommandError,
  decodeResult,
  encodeArgs,
} from './protocol/commands.js';
import { CommandCode, type CommandName, ErrorCode } from './protocol/constants.js';
import { Frame, type FrameError } from './protocol/frame.js';
import {
  decodeMessage,
  encodeMessage,
  type Hello,
  type Message,
  type Response,
} from './protocol/messages.js';
import { FrameParser } from './protocol/parser.js';

type Incoming = { message: Message; seq: number };
type Matcher = { kind: 'response'; seq: number } | { kind: 'hello' };

export interface SessionEvents {
  message: [message: Message, seq: number];
  reject: [reason: FrameError | 'overflow' | 'payload', detail: string];
  /** Frames the device sent that never arrived (sequence gap). */
  lost: [count: number];
}

export interface SessionStats {
  received: number;
  lost: number;
  payloadErrors: number;
}

/**
 * One Storegate-protocol link over a byte stream (a serial port, a PTY, an in-memory pair). Frames out carry
 * our sequence number; responses are matched to requests by the echoed sequence through one Waitress.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly stats: SessionStats = { received: 0, lost: 0, payloadErrors: 0 };
  readonly parser: FrameParser;
  private seq = 0;
  private lastRxSeq: number | null = null;
  private readonly waitress: Waitress<Incoming, Matcher>;
  private closed = false;

  constructor(
    private readonly link: Pick<Duplex, 'write' | 'pipe' | 'unpipe' | 'once' | 'on'>,
    private readonly clock: Clock,
    private readonly defaultTimeoutMs = 1_000,
  ) {
    super();
    this.waitress = new Waitress<Incoming, Matcher>(
      clock,
      (p, m) =>
        m.kind === 'hello'
          ? p.message.type === 'hello'
          : p.message.type === 'response' && p.message.requestSeq === m.seq,
      (m, ms) =>
        m.kind === 'hello' ? `no hello within ${ms} ms` : `no response to seq ${m.seq} within ${ms} ms`,
    );
    this.parser = new FrameParser((reason, bytes) => this.emit('reject', reason, `${bytes} bytes`));
    this.parser.on('data', (frame: Frame) => this.onFrame(frame));
    link.pipe(this.parser);
    // a port that goes away fails every pending request at once instead of letting each time out
    link.once('close', () => this.close('link closed'));
    link.on('error', (err: Error) => this.close(`link error: ${err.message}`));
  }

  private onFrame(frame: Frame): void {
    let message: Message;
    try {
      message = decodeMessage(frame.type, frame.payload);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      this.stats.payloadErrors++;
      this.emit('reject', 'payload', err.message);
      return;
    }
    this.stats.received++;
    if (message.type === 'hello') this.lastRxSeq = null;
    if (this.lastRxSeq !== null) {
      const gap = (frame.seq - this.lastRxSeq - 1) & 0xff;
      // a gap above 128 is more likely a device reboot than 128 lost frames
      if (gap > 0 && gap < 128) {
        this.stats.lost += gap;
        this.emit('lost', gap);
      }
    }
    this.lastRxSeq = frame.seq;
    this.waitress.resolve({ message, seq: frame.seq });
    this.emit('message', message, frame.seq);
  }

  /** Send a message; returns the sequence number it went out with. */
  send(message: Message): number {
    if (this.closed) throw new StoregateError('SG_IO', 'session closed');
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    const { type, payload } = encodeMessage(message);
    this.link.write(new Frame(type, seq, payload).encode());
    return seq;
  }

  async request<K extends CommandName>(
    name: K,
    args: CommandArgs[K],
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<CommandResult[K]> {
    const seq = this.seq;
    const reply = this.waitress.waitFor({ kind: 'response', seq }, timeoutMs);
    this.send({ type: 'command', command: CommandCode[name], args: encodeArgs(name, args) });
    const response = (await reply).message as Response;
    if (response.error !== ErrorCode.ok) throw new DeviceCommandError(name, response.error);
    return decodeResult(name, response.data);
  }

  /** Ask the device to introduce itself and wait for its hello. */
  async identify(timeoutMs = this.defaultTimeoutMs): Promise<Hello> {
    const hello = this.waitress.waitFor({ kind: 'hello' }, timeoutMs);
    this.send({ type: 'identify' });
    return (await hello).message as Hello;
  }

  /** Wait for an unsolicited hello (after a reboot). */
  async nextHello(timeoutMs = this.defaultTimeoutMs): Promise<Hello> {
    return (await this.waitress.waitFor({ kind: 'hello' }, timeoutMs)).message as Hello;
  }

  close(reason = 'link closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.waitress.cancelAll(reason);
    this.link.unpipe(this.parser);
    this.parser.destroy();
  }

  get pendingRequests(): number {
    return this.waitress.size;
  }

  get now(): number {
    return this.clock.now();
  }
}
