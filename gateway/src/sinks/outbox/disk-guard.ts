import { statfsSync } from 'node:fs';

export type WatermarkLevel = 'ok' | 'warn' | 'compact' | 'critical';

export interface Watermarks {
  warn: number;
  compact: number;
  critical: number;
}

export function watermarkLevel(usedBytes: number, budgetBytes: number, marks: Watermarks): WatermarkLevel {
  const share = usedBytes / budgetBytes;
  if (share >= marks.critical) return 'critical';
  if (share >= marks.compact) return 'compact';
  if (share >= marks.warn) return 'warn';
  return 'ok';
}

export const WATERMARK_RANK: Record<WatermarkLevel, number> = { ok: 0, warn: 1, compact: 2, critical: 3 };

/** Free bytes available to this (unprivileged) process on the filesystem holding `dir`. */
export function statfsFreeBytes(dir: string): () => number {
  return () => {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  };
}

/**
 * The hard floor of free disk. statfs is cheap but not free, so the reading is cached briefly; bytes
 * accepted since the last reading are subtracted so a burst cannot overshoot the floor between readings.
 */
export class DiskFloor {
  private cachedFree = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  private acceptedSinceRead = 0;

  constructor(
    private readonly minFreeBytes: number,
    private readonly freeBytes: () => number,
    private readonly now: () => number,
    private readonly cacheMs = 250,
  ) {}

  free(): number {
    const t = this.now();
    if (t - this.readAt >= this.cacheMs || t < this.readAt) {
      this.cachedFree = this.freeBytes();
      this.readAt = t;
      this.acceptedSinceRead = 0;
    }
    return this.cachedFree - this.acceptedSinceRead;
  }

  /** True if `bytes` more can be written without crossing the floor; if so they are reserved. */
  admit(bytes: number): boolean {
    if (this.free() - bytes < this.minFreeBytes) return false;
    this.acceptedSinceRead += bytes;
    return true;
  }
}
