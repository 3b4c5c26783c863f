import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ColdAckData } from '../../core/coldchain-events.js';
import { StoregateError } from '../../core/errors.js';
import type { StoreEvent } from '../../core/events.js';
import { actorName } from '../../core/identity.js';
import type { ColdChainProcessor } from '../../processors/coldchain/coldchain-processor.js';
import type { HaccpStore } from '../../sinks/haccp/haccp-store.js';
import type { GatewayContext } from '../context.js';
import { buildReport, reportCsv, reportHtml } from './report.js';

/** What the routes need from the running feature. */
export interface HaccpApi {
  readonly ctx: GatewayContext;
  readonly processor: ColdChainProcessor;
  readonly store: HaccpStore;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function fail(reply: FastifyReply, err: unknown) {
  if (err instanceof StoregateError) {
    const status = { SG_BAD_ARGUMENT: 400, SG_NOT_FOUND: 404, SG_NOT_READY: 503 }[err.code as string] ?? 500;
    return reply.code(status).send({ error: { code: err.code, message: err.message } });
  }
  throw err;
}

/**
 * GET  /api/haccp/alarms                    raised alarms now (live) and the last 24 h from the record
 * POST /api/haccp/alarms/:id/ack            {action, note?}: corrective action, from coldchain.corrective_actions
 * GET  /api/haccp/report?day=&format=       json (default), csv or html
 * GET  /api/haccp/verify                    the hash chains of the record
 */
export function registerHaccpRoutes(http: FastifyInstance, api: HaccpApi): void {
  const { ctx } = api;
  http.get('/api/haccp/alarms', async () => {
    const now = ctx.clock.now();
    return { active: api.processor.active(), recent: api.store.alarms(now - 86_400_000, now + 1) };
  });

  http.post('/api/haccp/alarms/:id/ack', { config: { role: 'attendant' } }, async (req, reply) => {
    try {
      const { id } = req.params as { id: string };
      const body = (req.body ?? {}) as { action?: unknown; note?: unknown };
      const actions = ctx.config.coldchain.corrective_actions;
      if (typeof body.action !== 'string' || !actions.includes(body.action))
        throw new StoregateError('SG_BAD_ARGUMENT', `action must be one of: ${actions.join('; ')}`);
      if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 1000))
        throw new StoregateError('SG_BAD_ARGUMENT', 'note must be text of at most 1000 characters');
      const alarm = api.store.alarm(id);
      if (!alarm) throw new StoregateError('SG_NOT_FOUND', `no alarm ${id} in the record`);
      const ack: ColdAckData = {
        alarm_id: id,
        unit: alarm.unit,
        action: body.action,
        note: (body.note as string | undefined) ?? null,
        // Who acted is the caller's login or token, never a field of the request.
        by: req.identity ? actorName(req.identity) : null,
        at: ctx.clock.now(),
      };
      const event: StoreEvent = {
        type: 'coldchain.ack',
        t: ack.at,
        stream: `coldchain/${alarm.unit}`,
        dataClass: 'must_deliver',
        data: { ...ack },
      };
      // Durable in the outbox, and in the record through the live feed, before we answer.
      await ctx.pipeline.emit([event]);
      return reply.code(201).send({ ack });
    } catch (err) {
      return fail(reply, err);
    }
  });

  http.get('/api/haccp/report', async (req, reply) => {
    try {
      const q = req.query as { day?: string; format?: string };
      if (!q.day || !DAY.test(q.day)) throw new StoregateError('SG_BAD_ARGUMENT', 'day must be YYYY-MM-DD');
      const format = q.format ?? 'json';
      if (!['json', 'csv', 'html'].includes(format))
        throw new StoregateError('SG_BAD_ARGUMENT', 'format must be json, csv or html');
      const report = buildReport(api.store, q.day, ctx.clock.now());
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(reportCsv(report));
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(reportHtml(report));
      return report;
    } catch (err) {
      return fail(reply, err);
    }
  });

  http.get('/api/haccp/verify', async () => api.store.verify());
}
