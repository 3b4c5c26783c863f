import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import { actorName } from '../../core/identity.js';
import type { CalibrationSessions } from './calibration-sessions.js';
import { assertPlate, followPlate, type LiveProcessor } from './sample-window.js';

const INSTALLER = { config: { role: 'installer' as const } };
/** Live readings are summarised this often: fast enough to watch a weight land, light on a Pi. */
const LIVE_EVERY_MS = 250;
/** A forgotten tab does not hold a tap forever; the page reconnects (EventSource does) if still open. */
const LIVE_MAX_MS = 15 * 60_000;

const startBody = z.strictObject({
  device: z.string().min(1).max(64),
  channel: z.number().int().min(0).max(63),
  measure_ms: z.number().int().min(500).max(10_000).optional(),
});
const answerBody = z.strictObject({ answer: z.string().max(500) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw new StoregateError(
    'SG_BAD_ARGUMENT',
    r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
  );
}

function channelOf(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 63)
    throw new StoregateError('SG_BAD_ARGUMENT', 'channel must be 0..63');
  return n;
}

const who = (req: FastifyRequest) => actorName(req.identity!);

/**
 * Guided calibration for the installer web (role installer): `POST /api/calibration-sessions` checks the plate
 * and starts the wizard, `GET …/:id` shows where it is, `POST …/:id/answer` answers its question, `POST
 * …/:id/cancel`; `GET /api/shelves/:device/:channel/live` streams the plate's raw reading as Server-Sent
 * Events (`{t, n, mean, min, max}` every 250 ms; `n: 0` when nothing arrived).
 */
export function registerCalibrationRoutes(
  http: FastifyInstance,
  shelves: LiveProcessor,
  sessions: CalibrationSessions,
  clock: Clock,
): void {
  http.post('/api/calibration-sessions', INSTALLER, async (req, reply) => {
    const body = parse(startBody, req.body);
    const view = await sessions.start(body.device, body.channel, who(req), {
      measureMs: body.measure_ms ?? 3000,
    });
    return reply.code(201).send(view);
  });
  http.get<{ Params: { id: string } }>('/api/calibration-sessions/:id', INSTALLER, async (req) =>
    sessions.get(req.params.id),
  );
  http.post<{ Params: { id: string } }>('/api/calibration-sessions/:id/answer', INSTALLER, async (req) =>
    sessions.answer(req.params.id, parse(answerBody, req.body).answer, who(req)),
  );
  http.post<{ Params: { id: string } }>('/api/calibration-sessions/:id/cancel', INSTALLER, async (req) =>
    sessions.cancel(req.params.id, who(req)),
  );

  const streams = new Set<ServerResponse>();
  http.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
  http.get<{ Params: { device: string; channel: string } }>(
    '/api/shelves/:device/:channel/live',
    INSTALLER,
    async (req, reply) => {
      const { device } = req.params;
      const channel = channelOf(req.params.channel);
      assertPlate(shelves, device, channel);
      let batch: number[] = [];
      const follow = followPlate(shelves, device, channel, (grams) => {
        for (const g of grams) if (Number.isFinite(g)) batch.push(g);
      });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      streams.add(res);
      const started = clock.monotonic();
      let timer: TimerHandle | null = null;
      const stop = () => {
        if (timer) clock.clearTimeout(timer);
        timer = null;
        follow.stop();
        streams.delete(res);
      };
      const tick = () => {
        try {
          follow.check();
        } catch {
          // The shelves feature stopped: end the stream; the page shows it as not live.
          res.end();
          return;
        }
        const samples = batch;
        batch = [];
        const line =
          samples.length === 0
            ? { t: clock.now(), n: 0, mean: null, min: null, max: null }
            : {
                t: clock.now(),
                n: samples.length,
                mean: samples.reduce((a, b) => a + b, 0) / samples.length,
                min: Math.min(...samples),
                max: Math.max(...samples),
              };
        res.write(`data: ${JSON.stringify(line)}\n\n`);
        if (clock.monotonic() - started > LIVE_MAX_MS) res.end();
        else timer = clock.setTimeout(tick, LIVE_EVERY_MS);
      };
      res.on('close', stop);
      res.write(': live\n\n');
      timer = clock.setTimeout(tick, LIVE_EVERY_MS);
    },
  );
}
