import { parseCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../../../shared/src/clock.js';
import type { HttpSection } from '../../config/sections/http.js';
import type { ErrorCode } from '../../core/errors.js';
import { actorName, roleAllows } from '../../core/identity.js';
import type { AuditLog } from '../../ports/audit-log.js';
import type { IdentityStore } from '../../ports/identity-store.js';
import { replyError } from '../error-handler.js';
import { HostPolicy, isLoopback, originMatchesHost } from './host-check.js';
import './types.js';

export const SESSION_COOKIE = 'sg_session';
export const CSRF_COOKIE = 'sg_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthDeps {
  store: IdentityStore;
  audit: AuditLog;
  clock: Clock;
  config: Pick<HttpSection, 'allowed_hosts'>;
  metrics: Registry;
}

export type Refusal = 'host' | 'origin' | 'csrf' | 'unauthenticated' | 'bad_token' | 'forbidden';

/** The HTTP status (and the generic hint) of each comes from the error table, shared/src/errors.ts. */
const CODE: Record<Refusal, ErrorCode> = {
  host: 'SG_HOST_REFUSED',
  origin: 'SG_ORIGIN_REFUSED',
  csrf: 'SG_CSRF',
  unauthenticated: 'SG_UNAUTHENTICATED',
  bad_token: 'SG_UNAUTHENTICATED',
  forbidden: 'SG_FORBIDDEN',
};

export function isUpgrade(req: FastifyRequest): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** State-changing: any unsafe method, and every WebSocket upgrade (a socket is a long-lived capability). */
export function isStateChanging(req: FastifyRequest): boolean {
  return !SAFE.has(req.method) || isUpgrade(req);
}

/**
 * Resolve `request.identity` for every request and enforce the route's declared role (see types.ts), plus the
 * Host allow-list, same-origin and CSRF checks on state-changing requests. Register it on the root instance
 * before any route. Every refused or completed state-changing request is written to the audit log.
 */
export function registerAuth(http: FastifyInstance, deps: AuthDeps): void {
  const hosts = new HostPolicy(deps.config.allowed_hosts);
  const refusals = new Counter({
    name: 'storegate_http_auth_refusals_total',
    help: 'HTTP requests and WebSocket upgrades refused by access control, by reason',
    labelNames: ['reason'],
    registers: [deps.metrics],
  });
  http.decorateRequest('identity', null);
  http.decorateRequest('session', null);

  const hint = (reason: Refusal): string | undefined => {
    if (reason === 'unauthenticated') {
      return deps.store.userCount() === 0
        ? 'no user exists yet: on the gateway, run `storegate user add <name> --role admin`'
        : 'log in at /login, or send Authorization: Bearer <token> (`storegate token add`)';
    }
    if (reason === 'csrf') return `send the session's CSRF token (cookie ${CSRF_COOKIE}) in ${CSRF_HEADER}`;
    return undefined;
  };

  const refuse = (reply: FastifyReply, reason: Refusal, message: string) => {
    refusals.labels(reason).inc();
    const h = hint(reason);
    if (isUpgrade(reply.request)) {
      // A refused upgrade socket is outside the server's connection tracking: close it, or a client could
      // hold it open forever (and graceful shutdown would wait for it).
      reply.header('connection', 'close');
      reply.raw.once('finish', () => reply.request.raw.socket.destroy());
    }
    return replyError(reply, CODE[reason], message, h ? { hint: h } : undefined);
  };

  http.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config ?? {};
    const changing = isStateChanging(req);
    const isPublic = config.anonymous === 'always';
    if ((changing || !isPublic) && !hosts.allows(req.headers.host)) {
      return refuse(reply, 'host', `host ${String(req.headers.host ?? '(none)')} is not served here`);
    }

    const now = deps.clock.now();
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer (\S+)$/i.exec(auth);
      req.identity = m ? deps.store.verifyToken(m[1]!, now) : null;
      if (!req.identity) return refuse(reply, 'bad_token', 'the API token is unknown or revoked');
    } else {
      const cookie = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
      req.session = cookie ? deps.store.verifySession(cookie, now) : null;
      req.identity = req.session
        ? { kind: req.session.kind, name: req.session.name, role: req.session.role }
        : null;
    }

    if (changing) {
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        return refuse(reply, 'origin', `cross-site request (Sec-Fetch-Site: ${String(site)})`);
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !originMatchesHost(origin, req.headers.host)) {
        return refuse(reply, 'origin', `origin ${origin} is not this gateway`);
      }
      // Browsers always send Origin on these; a cookie-authenticated request without one is not a page of ours.
      if (req.session && origin === undefined) {
        return refuse(reply, 'origin', 'a browser session request must carry an Origin header');
      }
      if (req.session && !isUpgrade(req) && req.headers[CSRF_HEADER] !== req.session.csrf) {
        return refuse(reply, 'csrf', 'missing or wrong CSRF token');
      }
    }

    if (isPublic) return;
    if (!req.identity) {
      if (config.anonymous === 'loopback' && isLoopback(req.socket.remoteAddress)) return;
      if (req.method === 'GET' && !isUpgrade(req) && String(req.headers.accept ?? '').includes('text/html')) {
        refusals.labels('unauthenticated').inc();
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      }
      return refuse(reply, 'unauthenticated', 'this requires a login or an API token');
    }
    const needs = config.role ?? (SAFE.has(req.method) && !isUpgrade(req) ? 'viewer' : 'admin');
    if (!roleAllows(req.identity.role, needs)) {
      return refuse(
        reply,
        'forbidden',
        `this requires the ${needs} role (${req.identity.name} is ${req.identity.role})`,
      );
    }
  });

  http.addHook('onResponse', async (req, reply) => {
    if (!isStateChanging(req) && reply.statusCode !== 403) return;
    const status = reply.statusCode;
    deps.audit.record({
      actor: req.identity ? actorName(req.identity) : 'anonymous',
      role: req.identity?.role ?? null,
      action: `http.${isUpgrade(req) ? 'ws' : req.method.toLowerCase()} ${req.routeOptions.url ?? '(no route)'}`,
      target: req.url.split('?')[0]!.slice(0, 300),
      outcome:
        status < 400 || status === 101
          ? 'ok'
          : status === 401 || status === 403 || status === 421
            ? 'refused'
            : 'failed',
      address: req.ip ?? null,
      detail: { status },
    });
  });
}
