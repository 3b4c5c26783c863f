import type { FastifyInstance } from 'fastify';
import { gtinKey, type LearnedWeight } from '../../core/catalog.js';
import type { WeightLearner } from '../../processors/checkout/weight-learner.js';

/** What the learned-weight routes need from the running checkout feature. */
export interface LearnedApi {
  readonly learner: WeightLearner;
  now(): number;
  confirmLearned(gtin: string): LearnedWeight | undefined;
}

/**
 * Learned item weights held back by the daily drift bound (issue 12 item 4):
 * `GET /api/checkout/learned/held` lists them; `POST /api/checkout/learned/:gtin/confirm` (role installer)
 * accepts the learned weight as the new confirmed one.
 */
export function registerLearnedRoutes(http: FastifyInstance, api: LearnedApi): void {
  http.get('/api/checkout/learned/held', async () => ({
    held: api.learner.held(api.now()).map((h) => ({
      gtin: h.gtin,
      learned_grams: Math.round(h.learned * 10) / 10,
      used_grams: Math.round(h.used * 10) / 10,
      confirmed_grams: Math.round(h.confirmed * 10) / 10,
    })),
  }));

  http.post<{ Params: { gtin: string } }>(
    '/api/checkout/learned/:gtin/confirm',
    { config: { role: 'installer' } },
    async (req, reply) => {
      const l = api.confirmLearned(req.params.gtin);
      if (!l)
        return reply.code(404).send({
          error: { code: 'SG_NOT_FOUND', message: `nothing learned for ${gtinKey(req.params.gtin)}` },
        });
      return { gtin: l.gtin, confirmed_grams: Math.round(l.mean * 10) / 10, n: l.n };
    },
  );
}
