import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '../../../shared/src/clock.js';
import { ScaleModel } from './scale-model.js';

/**
 * A retail/bagging scale answering a subset of Mettler Toledo MT-SICS level 0 (CR LF terminated):
 * `SI` weight immediately, `S` stable weight (waits for stability), `Z` zero, `@` reset, `I4` serial number.
 * Anything else gets `ES` (syntax error), as a real MT-SICS device does.
 */
export class SicsScaleEmulator {
  readonly model: ScaleModel;
  private link: Duplex | null = null;
  private buffered = '';
  private readonly onData = (chunk: Buffer) => this.receive(chunk.toString('latin1'));

  constructor(
    readonly serialNumber = 'B123456789',
    private readonly clock: Clock = systemClock(),
  ) {
    this.model = new ScaleModel(clock, 15_000, 0.5);
  }

  attach(link: Duplex): void {
    this.detach();
    this.link = link;
    link.on('data', this.onData);
  }

  detach(): void {
    this.link?.off('data', this.onData);
    this.link = null;
    this.buffered = '';
  }

  private receive(text: string): void {
    this.buffered += text;
    if (this.buffered.length > 256) this.buffered = this.buffered.slice(-256);
    for (;;) {
      const at = this.buffered.search(/\r\n|\n/);
      if (at === -1) return;
      const line = this.buffered.slice(0, at).trim();
      this.buffered = this.buffered.slice(at + (this.buffered[at] === '\r' ? 2 : 1));
      if (line) this.command(line);
    }
  }

  private reply(line: string): void {
    this.link?.write(`${line}\r\n`);
  }

  private weightLine(kind: 'S' | 'SI'): string | null {
    const { grams, status } = this.model.status();
    if (status === 'over') return 'S +';
    if (status === 'under') return 'S -';
    if (status === 'motion' && kind === 'S') return null;
    const flag = status === 'motion' ? 'D' : 'S';
    return `S ${flag} ${grams.toFixed(2).padStart(10)} g`;
  }

  private command(line: string): void {
    const cmd = line.split(/\s+/)[0]!.toUpperCase();
    switch (cmd) {
      case 'SI':
        this.reply(this.weightLine('SI')!);
        return;
      case 'S': {
        // stable weight: retry until the scale settles (a real scale times out after a few seconds)
        const deadline = this.clock.now() + 3_000;
        const attempt = () => {
          const out = this.weightLine('S');
          if (out !== null) this.reply(out);
          else if (this.clock.now() > deadline) this.reply('S I');
          else this.clock.setTimeout(attempt, 50);
        };
        attempt();
        return;
      }
      case 'Z':
        this.reply(this.model.zero() ? 'Z A' : 'Z I');
        return;
      case '@':
        this.reply(`I4 A "${this.serialNumber}"`);
        return;
      case 'I4':
        this.reply(`I4 A "${this.serialNumber}"`);
        return;
      default:
        this.reply('ES');
    }
  }
}
