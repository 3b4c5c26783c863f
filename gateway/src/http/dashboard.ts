import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** dashboards/web, found from both the TypeScript sources and the compiled dist/ tree. */
export function findDashboardDir(start = import.meta.dirname): string | null {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'dashboards', 'web');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/**
 * The ops dashboard at `/dashboard/` (footfall, occupancy, lanes, shelves, devices). A fixed set of files is
 * served, read once at start; nothing from the request path reaches the file system.
 */
export function registerDashboardRoutes(http: FastifyInstance, dir = findDashboardDir()): void {
  if (!dir) return;
  const files = new Map(Object.keys(TYPES).map((name) => [name, readFileSync(join(dir, name))]));
  http.get('/', async (_req, reply) => reply.redirect('/dashboard/'));
  http.get('/dashboard', async (_req, reply) => reply.redirect('/dashboard/'));
  const serve = (name: string, reply: FastifyReply) => {
    const body = files.get(name);
    if (!body)
      return reply.code(404).send({ error: { code: 'SG_NOT_FOUND', message: `no dashboard file ${name}` } });
    return reply.type(TYPES[name]!).header('cache-control', 'no-cache').send(body);
  };
  http.get('/dashboard/', async (_req, reply) => serve('index.html', reply));
  http.get<{ Params: { file: string } }>('/dashboard/:file', async (req, reply) =>
    serve(req.params.file, reply),
  );
}
