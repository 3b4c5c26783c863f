import { EventEmitter } from 'node:events';
import type { SerialLink } from '../../../../firmware-bridge/src/transport/port.js';

const EXCEPTION_LENGTH = 5;
const MAX_BUFFER = 256;

/** Length of the normal answer to an RTU request (Modbus over Serial Line v1.02 §2.5; PDU per MAP v1.1b §6). */
export function expectedAnswerLength(request: Buffer): number | null {
  const fn = request[1];
  const count = request.length >= 6 ? request.readUInt16BE(4) : 0;
  if (fn === 1 || fn === 2) return 3 + Math.ceil(count / 8) + 2;
  if (fn === 3 || fn === 4) return 3 + 2 * count + 2;
  if (fn === 5 || fn === 6 || fn === 15 || fn === 16) return 8;
  return null;
}

/**
 * The port object modbus-serial expects, on a link the port supervisor already opened (so binding, hot-plug
 * and reopen stay the supervisor's). RTU has no length field: bytes are collected until the answer to the
 * last request is complete (or an exception frame), then handed over whole; the CRC is checked by
 * modbus-serial. Garbage before the answer is skipped by looking for the addressed slave and function.
 */
export class RtuFramePort extends EventEmitter {
  private buffer = Buffer.alloc(0);
  private slave = -1;
  private fn = -1;
  private length: number | null = null;
  lastActivityAt = 0;
  // modbus-serial keeps its transaction ids on the port object
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  constructor(
    private readonly link: SerialLink,
    private readonly now: () => number,
  ) {
    super();
    link.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  open(callback: (err: Error | null) => void): void {
    callback(this.link.isOpen ? null : new Error('Port Not Open'));
  }

  /** The supervisor owns the link; modbus-serial's close only detaches. */
  close(callback?: () => void): void {
    this.removeAllListeners('data');
    callback?.();
  }

  write(data: Buffer): void {
    this.slave = data[0] ?? -1;
    this.fn = data[1] ?? -1;
    this.length = expectedAnswerLength(data);
    this.buffer = Buffer.alloc(0); // whatever arrived before this request is not its answer
    this.link.write(data);
  }

  private onData(chunk: Buffer): void {
    this.lastActivityAt = this.now();
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.subarray(-MAX_BUFFER);
    for (let i = 0; i + EXCEPTION_LENGTH <= this.buffer.length; i++) {
      if (this.buffer[i] !== this.slave) continue;
      const fn = this.buffer[i + 1];
      const want = fn === this.fn ? this.length : fn === (this.fn | 0x80) ? EXCEPTION_LENGTH : null;
      if (want === null) continue;
      if (i + want > this.buffer.length) return; // the rest is still on the wire
      const frame = this.buffer.subarray(i, i + want);
      this.buffer = this.buffer.subarray(i + want);
      this.emit('data', frame);
      return;
    }
  }
}
