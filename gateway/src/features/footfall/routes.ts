import type { FastifyInstance } from 'fastify';
import { StoregateError } from '../../core/errors.js';
import { conversionRate } from '../../core/footfall-records.js';
import type { FootfallProcessor } from '../../processors/footfall/footfall-processor.js';
import { storeDayStart } from '../../processors/footfall/store-day.js';
import { checkQuery, type FootfallQuery, type FootfallStore } from '../../sinks/rollups/footfall-store.js';
import type { GatewayContext } from '../context.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1700000000000` or an ISO date → epoch ms. */
function parseTime(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (/^\d+$/.test(raw)) return Number(raw);
  const t = Date.parse(raw);
  return Number.isNaN(t) ? Number.NaN : t;
}

/** `15m`, `1h`, `1d` or milliseconds. */
function parseStep(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3_600_000;
  const m = /^(\d+)([mhd])$/.exec(raw);
  if (m) return Number(m[1]) * UNITS[m[2]!]!;
  return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
}

/** What the footfall routes need from the running feature. */
export interface FootfallApi {
  readonly ctx: GatewayContext;
  readonly store: FootfallStore;
  readonly processor: FootfallProcessor;
}

/**
 * GET /api/footfall?from=&to=&step=&door=  entries/exits/transactions/occupancy per bucket (default: today,
 *   hourly), from InfluxDB or the SQLite rollups — the same answer either way.
 * GET /api/footfall/days?from=&to=         closed store days: totals, residual (accuracy) per door, scale.
 * GET /api/occupancy                       live occupancy and today's totals, conversion, blocked beams.
 */
export function registerFootfallRoutes(http: FastifyInstance, footfall: FootfallApi): void {
  const { ctx } = footfall;

  http.get('/api/footfall', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const now = ctx.clock.now();
    const query: FootfallQuery = {
      from: parseTime(
        q.from,
        storeDayStart(now, ctx.config.footfall.store_empty_time, ctx.config.store.timezone),
      ),
      to: parseTime(q.to, now),
      stepMs: parseStep(q.step),
      ...(q.door ? { door: q.door } : {}),
    };
    const problem = checkQuery(query);
    if (problem) throw new StoregateError('SG_BAD_ARGUMENT', problem);
    const buckets = await footfall.store.query(query);
    const totals = buckets.reduce(
      (acc, b) => ({
        in: acc.in + b.in,
        out: acc.out + b.out,
        transactions: acc.transactions + b.transactions,
      }),
      { in: 0, out: 0, transactions: 0 },
    );
    return {
      store: ctx.config.store.id,
      source: footfall.store.kind,
      from: query.from,
      to: query.to,
      step_ms: query.stepMs,
      door: query.door ?? null,
      totals: { ...totals, conversion: conversionRate(totals.transactions, totals.in) },
      buckets,
    };
  });

  http.get('/api/footfall/days', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const now = ctx.clock.now();
    const from = parseTime(q.from, now - 31 * 86_400_000);
    const to = parseTime(q.to, now);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      throw new StoregateError('SG_BAD_ARGUMENT', 'from and to must be epoch ms or ISO dates, to after from');
    }
    return {
      store: ctx.config.store.id,
      source: footfall.store.kind,
      days: await footfall.store.days(from, to),
    };
  });

  http.get('/api/occupancy', async () => ({
    ...footfall.processor.snapshot(ctx.clock.now()),
    blocked_beams: footfall.processor.blockedBeams(),
  }));
}
