import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../ports/audit-log.js';

const query = z.strictObject({
  since: z.coerce.number().int().optional(),
  until: z.coerce.number().int().optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** `GET /api/audit?since=&until=&actor=&action=&limit=` (admin): newest first. */
export function registerAuditRoutes(http: FastifyInstance, audit: AuditLog): void {
  http.get('/api/audit', { config: { role: 'admin' } }, async (req, reply) => {
    const q = query.safeParse(req.query ?? {});
    if (!q.success) {
      const message = q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return reply.code(400).send({ error: { code: 'SG_BAD_ARGUMENT', message } });
    }
    const { since, until, actor, action, limit } = q.data;
    return {
      entries: audit.query({
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(actor !== undefined ? { actor } : {}),
        ...(action !== undefined ? { action } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
    };
  });
}
