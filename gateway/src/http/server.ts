import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../../../shared/src/logger.js';
import { registerErrorHandler } from './error-handler.js';

/** The gateway's HTTP server; features add their routes in start(), core routes are added by the app. */
export function createHttpServer(logger: Logger, tls?: { key: string; cert: string }): FastifyInstance {
  const http = Fastify({
    loggerInstance: logger.child({ mod: 'http' }) as FastifyBaseLogger,
    // Per-request lines would flood an SD card on a busy dashboard; errors are still logged by handlers.
    logController: new LogController({ disableRequestLogging: true }),
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
  }) as unknown as FastifyInstance;
  registerErrorHandler(http);
  return http;
}
