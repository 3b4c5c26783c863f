import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../../shared/src/clock.js';
import type { ScaleStatus } from '../../../shared/src/readings.js';
import { WaitCancelledError, Waitress } from '../../../shared/src/waitress.js';
import type { SerialLink } from '../transport/port.js';
import type { DeviceIdentity, DriverEvents, SerialDriver } from './driver.js';

export interface SicsOptions {
  pollMs?: number;
  timeoutMs?: number;
  /** |weight| below this (grams) with a stable flag is reported as `zero`. */
  zeroBandG?: number;
}

/** Parse one MT-SICS weight response line (`S S      100.00 g`, `S D …`, `S +`, `S -`, `S I`). */
export function parseSicsWeight(
  line: string,
): { grams: number; stable: boolean } | 'over' | 'under' | 'busy' | null {
  const m = /^S\s+([SD])\s+(-?\d+(?:\.\d+)?)\s+(g|kg|mg|lb)$/.exec(line.trim());
  if (m) {
    const factor = { g: 1, kg: 1000, mg: 0.001, lb: 453.59237 }[m[3] as 'g'];
    return { grams: Number(m[2]) * factor, stable: m[1] === 'S' };
  }
  const t = line.trim();
  if (t === 'S +') return 'over';
  if (t === 'S -') return 'under';
  if (t === 'S I') return 'busy';
  return null;
}

/**
 * Mettler Toledo MT-SICS level 0 scale, polled with `SI` (weight immediately, stable or dynamic). Identity
 * via `I4` (serial number). Each request waits for its reply through the Waitress; one outstanding at a time.
 */
export class SicsScaleDriver extends EventEmitter<DriverEvents> implements SerialDriver {
  lastActivityAt = 0;
  private link: SerialLink | null = null;
  private buffered = '';
  private timer: TimerHandle | null = null;
  private readonly waitress: Waitress<string, string>;
  private readonly onData = (chunk: Buffer) => this.receive(chunk.toString('latin1'));

  constructor(
    private readonly clock: Clock,
    private readonly opts: SicsOptions = {},
  ) {
    super();
    this.waitress = new Waitress<string, string>(
      clock,
      (line, cmd) => line.startsWith(`${cmd} `) || (cmd === 'SI' && /^S\s/.test(line)) || line === 'ES',
      (cmd, ms) => `no MT-SICS reply to ${cmd} within ${ms} ms`,
    );
  }

  private request(cmd: string): Promise<string> {
    const reply = this.waitress.waitFor(cmd === 'SI' ? 'SI' : cmd, this.opts.timeoutMs ?? 1_000);
    this.link?.write(`${cmd}\r\n`);
    return reply;
  }

  async start(link: SerialLink): Promise<DeviceIdentity> {
    this.link = link;
    link.on('data', this.onData);
    const i4 = await this.request('I4');
    const serial = /^I4\s+A\s+"(.*)"$/.exec(i4)?.[1];
    this.poll();
    return { kind: 'scale', ...(serial ? { serialNumber: serial } : {}) };
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.waitress.cancelAll('link closed');
    this.link?.off('data', this.onData);
    this.link = null;
  }

  private poll(): void {
    this.timer = this.clock.setTimeout(async () => {
      this.timer = null;
      try {
        this.handle(await this.request('SI'));
      } catch (err) {
        if (err instanceof WaitCancelledError) return;
        this.emit('reject', 'timeout', (err as Error).message);
      }
      if (this.link) this.poll();
    }, this.opts.pollMs ?? 200);
  }

  private handle(line: string): void {
    const parsed = parseSicsWeight(line);
    if (parsed === null) return void this.emit('reject', 'unparsable', JSON.stringify(line.slice(0, 40)));
    if (parsed === 'busy') return void this.emit('reject', 'busy', 'scale answered S I (not executable)');
    let status: ScaleStatus;
    let grams = 0;
    if (parsed === 'over' || parsed === 'under') status = parsed;
    else {
      grams = Math.round(parsed.grams * 1000) / 1000;
      status = !parsed.stable
        ? 'motion'
        : Math.abs(grams) < (this.opts.zeroBandG ?? 0.25)
          ? 'zero'
          : 'stable';
    }
    this.emit('reading', {
      body: { type: 'scale.reading', grams, status },
      deviceTime: null,
      quality: status === 'stable' || status === 'zero' ? 'good' : 'uncertain',
    });
  }

  private receive(text: string): void {
    this.buffered += text;
    if (this.buffered.length > 512) {
      this.emit('reject', 'overlong', 'no line terminator in 512 bytes');
      this.buffered = '';
    }
    for (;;) {
      const at = this.buffered.indexOf('\n');
      if (at === -1) return;
      const line = this.buffered.slice(0, at).replace(/\r$/, '');
      this.buffered = this.buffered.slice(at + 1);
      this.lastActivityAt = this.clock.now();
      if (!this.waitress.resolve(line)) this.emit('reject', 'unsolicited', JSON.stringify(line.slice(0, 40)));
    }
  }
}
