import type { Writable } from 'node:stream';

export interface ScannerFormat {
  prefix?: string;
  suffix?: string;
  /** Send the AIM symbology identifier (e.g. `]E0` for EAN-13) before the data. */
  aim?: boolean;
  terminator?: '\r' | '\n' | '\r\n';
}

/** AIM identifiers for the GTIN symbologies (ISO/IEC 15424). */
export function aimFor(code: string): string {
  if (code.length === 8) return ']E4';
  if (code.length === 12 || code.length === 13) return ']E0';
  if (code.length === 14) return ']I1';
  return ']C0';
}

/** A USB-serial/RS-232 barcode scanner in keyboard-less mode: one ASCII line per scan. */
export class ScannerEmulator {
  private link: Writable | null = null;
  constructor(private readonly format: ScannerFormat = {}) {}

  attach(link: Writable): void {
    this.link = link;
  }

  detach(): void {
    this.link = null;
  }

  scan(code: string): void {
    const f = this.format;
    const aim = f.aim ? aimFor(code) : '';
    this.link?.write(`${f.prefix ?? ''}${aim}${code}${f.suffix ?? ''}${f.terminator ?? '\r\n'}`, 'latin1');
  }
}
