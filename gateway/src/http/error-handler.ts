import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { type ErrorCode, errorBody, httpStatusOf, StoregateError } from '../core/errors.js';

/**
 * The one error handler of the HTTP API: a StoregateError answers with its code's status from the error
 * table (shared/src/errors.ts) and `{error: {code, message, hint?}}`; Fastify's own request errors (schema
 * validation, bad JSON, body too large) keep their 4xx status as SG_BAD_ARGUMENT; anything else is a 500
 * SG_INTERNAL whose details go to the log, not to the client.
 */
export function registerErrorHandler(http: FastifyInstance): void {
  http.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof StoregateError) return reply.code(httpStatusOf(err.code)).send(errorBody(err));
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'SG_BAD_ARGUMENT', message: err.message } });
    }
    req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    return reply.code(500).send(errorBody(new StoregateError('SG_INTERNAL', 'internal error')));
  });
}

/**
 * Answer with an error of the table without throwing (hooks and routes that must also set headers or count):
 * the code's status and `{error: {code, message, hint?}}`, exactly as the error handler would.
 */
export function replyError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  options?: { hint?: string },
): FastifyReply {
  return reply.code(httpStatusOf(code)).send(errorBody(new StoregateError(code, message, options)));
}
