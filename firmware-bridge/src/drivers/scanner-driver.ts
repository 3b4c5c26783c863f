import { EventEmitter } from 'node:events';
import type { Clock } from '../../../shared/src/clock.js';
import type { SerialLink } from '../transport/port.js';
import type { DeviceIdentity, DriverEvents, SerialDriver } from './driver.js';
import { validateGtin } from './gtin.js';

export interface ScannerOptions {
  prefix?: string;
  suffix?: string;
  /** `auto`: check GTIN codes (EAN/UPC/ITF-14 AIM ids, or bare digit strings of GTIN length); `always`: reject anything else too. */
  validateGtin?: 'auto' | 'always' | 'never';
  maxLineLength?: number;
}

/** AIM symbology identifiers (ISO/IEC 15424) → names used on the wire (`symbology`). */
const AIM_NAMES: Record<string, string> = {
  E0: 'ean-13',
  E4: 'ean-8',
  E3: 'ean-13+addon',
  I1: 'itf-14',
  C0: 'code-128',
  C1: 'gs1-128',
  A0: 'code-39',
  Q1: 'qr',
  d1: 'datamatrix',
  d2: 'gs1-datamatrix',
  e0: 'gs1-databar',
};
const GTIN_SYMBOLOGIES = new Set(['E0', 'E4', 'I1']);

/**
 * Line-based serial barcode scanner: ASCII data terminated by CR, LF or CR LF, with optional configured
 * prefix/suffix and optional AIM identifier (`]E0…`). A GTIN that fails its check digit is a misread and
 * is rejected, never passed on.
 */
export class ScannerDriver extends EventEmitter<DriverEvents> implements SerialDriver {
  lastActivityAt = 0;
  private link: SerialLink | null = null;
  private line = '';
  private overlong = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk.toString('latin1'));

  constructor(
    private readonly clock: Clock,
    private readonly opts: ScannerOptions = {},
  ) {
    super();
  }

  async start(link: SerialLink): Promise<DeviceIdentity> {
    this.link = link;
    link.on('data', this.onData);
    this.lastActivityAt = this.clock.now();
    return { kind: 'scanner' };
  }

  stop(): void {
    this.link?.off('data', this.onData);
    this.link = null;
    this.line = '';
  }

  private receive(text: string): void {
    const max = this.opts.maxLineLength ?? 128;
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        if (this.overlong) this.emit('reject', 'overlong', `line over ${max} characters`);
        else if (this.line.length > 0) this.handleLine(this.line);
        this.line = '';
        this.overlong = false;
      } else if (!this.overlong) {
        this.line += ch;
        if (this.line.length > max) this.overlong = true;
      }
    }
  }

  private handleLine(raw: string): void {
    this.lastActivityAt = this.clock.now();
    const { prefix = '', suffix = '' } = this.opts;
    let code = raw;
    if (prefix) {
      if (!code.startsWith(prefix))
        return void this.emit('reject', 'framing', `missing prefix in ${JSON.stringify(raw)}`);
      code = code.slice(prefix.length);
    }
    if (suffix) {
      if (!code.endsWith(suffix))
        return void this.emit('reject', 'framing', `missing suffix in ${JSON.stringify(raw)}`);
      code = code.slice(0, -suffix.length);
    }
    let aim: string | undefined;
    if (/^\][A-Za-z][0-9A-Za-z]/.test(code)) {
      aim = code.slice(1, 3);
      code = code.slice(3);
    }
    if (!/^[\x20-\x7e]{1,64}$/.test(code)) {
      return void this.emit(
        'reject',
        'unprintable',
        `not 1-64 printable ASCII characters: ${JSON.stringify(code.slice(0, 40))}`,
      );
    }
    const mode = this.opts.validateGtin ?? 'auto';
    const looksGtin = aim ? GTIN_SYMBOLOGIES.has(aim) : /^\d{8}$|^\d{12,14}$/.test(code);
    if (mode === 'always' || (mode === 'auto' && looksGtin)) {
      const v = validateGtin(code);
      if (!v.ok) return void this.emit('reject', 'misread', v.reason);
    }
    const symbology = aim ? (AIM_NAMES[aim] ?? `aim-${aim}`) : undefined;
    this.emit('reading', {
      body: { type: 'scanner.scan', code, ...(symbology ? { symbology } : {}) },
      deviceTime: null,
      quality: 'good',
    });
  }
}
