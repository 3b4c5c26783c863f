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

export interface DiskGuardOptions {
  /** `outbox.min_free_disk_bytes`: appends are refused rather than leave less than this available. */
  minFreeBytes: number;
  /** statfs of the data_dir filesystem: every file on it counts (WAL, registry.db, logs, other programs). */
  freeBytes: () => number;
  /** Space inside outbox.db the outbox can reuse without growing the file (free pages after a drain). */
  reclaimableBytes: () => number;
  /** Bytes of the disk reserve currently released: they are not ours to spend on appends. */
  reserveMissingBytes: () => number;
  monotonic: () => number;
  /** Database page size: a commit writes whole pages to the WAL. */
  pageBytes: number;
  cacheMs?: number;
}

export interface DiskReading {
  free: number;
  reclaimable: number;
  reserveMissing: number;
  /** What appends may still use before the floor: free + reclaimable − released reserve − pending. */
  available: number;
}

/**
 * The free-disk floor, measured on the real filesystem. A reading is taken after every commit (and at most
 * `cacheMs` old otherwise); what was admitted since the last commit is charged at a conservative estimate of
 * its on-disk cost (WAL frames, then the checkpoint into the main file), so a burst cannot overshoot the
 * floor between readings.
 */
export class DiskGuard {
  private free = 0;
  private reclaimable = 0;
  private reserveMissing = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  private pending = 0;

  constructor(private readonly options: DiskGuardOptions) {}

  /** Runs on every append: no allocation, one clock read unless the cached reading is stale. */
  private refresh(): void {
    const t = this.options.monotonic();
    if (t - this.readAt < (this.options.cacheMs ?? 250)) return;
    this.free = this.options.freeBytes();
    this.reclaimable = this.options.reclaimableBytes();
    this.reserveMissing = Math.max(0, this.options.reserveMissingBytes());
    this.readAt = t;
  }

  read(): DiskReading {
    const available = this.available();
    return { free: this.free, reclaimable: this.reclaimable, reserveMissing: this.reserveMissing, available };
  }

  available(): number {
    this.refresh();
    return this.free + this.reclaimable - this.reserveMissing - this.pending;
  }

  /** The on-disk cost charged for `rowBytes` more in the current commit group. */
  cost(rowBytes: number): number {
    // Twice: once as WAL frames, once more when checkpointed; the first rows of a group also pay for the
    // commit frame and the index and interior pages they touch.
    return 2 * rowBytes + (this.pending === 0 ? 4 * this.options.pageBytes : 0);
  }

  /** True if `rowBytes` more can be stored without crossing the floor; if so their cost is charged. */
  admit(rowBytes: number): boolean {
    const cost = this.cost(rowBytes);
    if (this.available() - cost < this.options.minFreeBytes) return false;
    this.pending += cost;
    return true;
  }

  /** A commit (or a shrink) changed the files: charge nothing pending, read the filesystem again. */
  invalidate(): void {
    this.pending = 0;
    this.readAt = Number.NEGATIVE_INFINITY;
  }
}
