import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows } from '../core/identity.js';
import { deniedPage, findDashboardDir, loadDashboardFiles } from './dashboard-files.js';
import { replyError } from './error-handler.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The web screens under `/dashboard/`: the ops dashboard (`index.html`, viewer), the attendant screen
 * (`attendant.html`, attendant), installer pages (`installer*.html`, installer) and their scripts, plus the
 * vendored chart library under `/dashboard/vendor/`. A page for a higher role answers 403 with a page that
 * says which role it needs and who is logged in. Not logged in: the auth hook sends browsers to /login.
 */
export function registerDashboardRoutes(http: FastifyInstance, dir = findDashboardDir()): void {
  if (!dir) return;
  const files = loadDashboardFiles(dir);
  http.get('/', async (_req, reply) => reply.redirect('/dashboard/'));
  http.get('/dashboard', async (_req, reply) => reply.redirect('/dashboard/'));
  const serve = (name: string, req: FastifyRequest, reply: FastifyReply) => {
    const file = files.get(name);
    if (!file) return replyError(reply, 'SG_NOT_FOUND', `no dashboard file ${name}`);
    reply.header('cache-control', 'no-cache').header('content-security-policy', CSP);
    const who = req.identity;
    if (who && !roleAllows(who.role, file.role)) {
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .send(deniedPage(name.replace(/\.html$/, ''), file.role, who.name, who.role));
    }
    return reply.type(file.type).send(file.body);
  };
  type File = { Params: { file: string } };
  http.get('/dashboard/', async (req, reply) => serve('index.html', req, reply));
  http.get<File>('/dashboard/:file', async (req, reply) => serve(req.params.file, req, reply));
  http.get<File>('/dashboard/vendor/:file', async (req, reply) =>
    serve(`vendor/${req.params.file}`, req, reply),
  );
}
