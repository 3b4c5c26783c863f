import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    name: options.name ?? 'storegate',
    level: options.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/**
 * Throttle repeated log lines by key, so a flapping sensor or a misbehaving device cannot fill an SD card:
 * the first `burst` lines per window are logged, the rest are counted and summarised when the window rolls.
 */
export function createLogThrottle(options: { windowMs?: number; burst?: number; now?: () => number } = {}) {
  const windowMs = options.windowMs ?? 60_000;
  const burst = options.burst ?? 5;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** True if this occurrence should be logged; `suppressed` tells how many were dropped since the last one. */
    allow(key: string): { log: boolean; suppressed: number } {
      const t = now();
      const w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        const suppressed = w ? Math.max(0, w.count - burst) : 0;
        windows.set(key, { start: t, count: 1 });
        if (windows.size > 10_000) windows.delete(windows.keys().next().value!);
        return { log: true, suppressed };
      }
      w.count++;
      return { log: w.count <= burst, suppressed: 0 };
    },
  };
}
