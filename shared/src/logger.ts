import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, at any of the first three levels of nesting. */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  'passphrase',
  'private_key',
  'key_pem',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/** `mqtts://user:pass@host` → `mqtts://***@host`: credentials inside URLs (cloud.url, influx URLs) are never shown. */
export function redactUrl(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (depth > 3 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

export function createLogger(options: {
  level: string;
  name?: string;
  /** Where lines go (default stdout), e.g. the journald stream of `storegate start` under systemd. */
  destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name ?? 'storegate',
    level: options.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { log: (obj) => scrub(obj, 0) as Record<string, unknown> },
    hooks: {
      // The message text too (e.g. an error message that quotes a URL).
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactUrl(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
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
