import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../../../shared/src/clock.js';
import type { HttpSection } from '../../config/sections/http.js';
import { actorName } from '../../core/identity.js';
import type { AuditLog } from '../../ports/audit-log.js';
import type { IdentityStore } from '../../ports/identity-store.js';
import { replyError } from '../error-handler.js';
import { CSRF_COOKIE, SESSION_COOKIE } from './auth-plugin.js';
import { LOGIN_PAGE } from './login-page.js';
import { LoginThrottle } from './login-throttle.js';

const loginBody = z.strictObject({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

export interface LoginDeps {
  store: IdentityStore;
  audit: AuditLog;
  clock: Clock;
  config: Pick<HttpSection, 'login' | 'session_ttl_ms'>;
  /** Secure cookies when the server speaks TLS. */
  secure: boolean;
}

/**
 * `GET /login` (the page), `GET /api/auth/status` (public: whether any user exists yet),
 * `POST /api/auth/login` {name, password} → session cookie (HttpOnly, SameSite=Strict) + CSRF cookie,
 * `POST /api/auth/logout`, `GET /api/auth/session` (who am I, and the CSRF token for scripts in the page).
 */
export function registerLoginRoutes(http: FastifyInstance, deps: LoginDeps): void {
  const throttle = new LoginThrottle(deps.config.login);
  const cookie = (name: string, value: string, maxAgeS: number, httpOnly: boolean) =>
    stringifySetCookie({
      name,
      value,
      httpOnly,
      sameSite: 'strict',
      secure: deps.secure,
      path: '/',
      maxAge: maxAgeS,
    });

  http.get('/login', { config: { anonymous: 'always' } }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
      )
      .send(LOGIN_PAGE),
  );

  http.get('/api/auth/status', { config: { anonymous: 'always' } }, async () => {
    const users = deps.store.userCount();
    return users > 0
      ? { users: true }
      : {
          users: false,
          message: 'No user exists yet. On the gateway, run: storegate user add <name> --role admin',
        };
  });

  http.post('/api/auth/login', { config: { anonymous: 'always' } }, async (req, reply) => {
    const body = loginBody.safeParse(req.body ?? {});
    if (!body.success) {
      return replyError(reply, 'SG_BAD_ARGUMENT', 'name and password are required');
    }
    const { name, password } = body.data;
    const address = req.ip;
    const now = deps.clock.now();
    const wait = throttle.reserve(address, name.toLowerCase(), now);
    if (wait !== null) {
      deps.audit.record({
        actor: `user:${name}`,
        role: null,
        action: 'login.throttled',
        target: null,
        outcome: 'refused',
        address,
        detail: {},
      });
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return replyError(reply, 'SG_THROTTLED', 'too many failed logins; try again later');
    }
    const identity = await deps.store.verifyPassword(name, password);
    throttle.settle(address, name.toLowerCase(), identity !== null, deps.clock.now());
    if (!identity) {
      deps.audit.record({
        actor: `user:${name}`,
        role: null,
        action: 'login.failed',
        target: null,
        outcome: 'refused',
        address,
        detail: {},
      });
      return replyError(reply, 'SG_UNAUTHENTICATED', 'wrong user name or password');
    }
    const session = deps.store.createSession(identity.name, deps.clock.now());
    const maxAge = Math.floor(deps.config.session_ttl_ms / 1000);
    deps.audit.record({
      actor: actorName(identity),
      role: identity.role,
      action: 'login.ok',
      target: null,
      outcome: 'ok',
      address,
      detail: {},
    });
    return reply
      .header('set-cookie', [
        cookie(SESSION_COOKIE, session.cookie, maxAge, true),
        cookie(CSRF_COOKIE, session.csrf, maxAge, false),
      ])
      .send({ name: identity.name, role: identity.role, csrf: session.csrf, expires_at: session.expiresAt });
  });

  http.post('/api/auth/logout', { config: { role: 'viewer' } }, async (req, reply) => {
    const raw = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (raw) deps.store.endSession(raw);
    return reply
      .header('set-cookie', [cookie(SESSION_COOKIE, '', 0, true), cookie(CSRF_COOKIE, '', 0, false)])
      .send({ ok: true });
  });

  http.get('/api/auth/session', { config: { role: 'viewer' } }, async (req) => ({
    kind: req.identity!.kind,
    name: req.identity!.name,
    role: req.identity!.role,
    csrf: req.session?.csrf ?? null,
    expires_at: req.session?.expiresAt ?? null,
  }));
}
