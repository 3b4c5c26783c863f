import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bearer, seedToken } from '../support/auth.js';
import { startTarget, type TargetGateway, until } from './support.js';

/** A raw HTTP request, so the attacker controls every header (fetch forbids setting Host and Origin). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (d) => {
        data += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function wsOpen(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('attacks on the HTTP API of a running gateway', () => {
  let t: TargetGateway;
  let admin: string;
  let installer: string;
  let attendant: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTarget();
    const dataDir = t.gw.context.config.dataDir;
    admin = seedToken(dataDir, 'admin', 'admin-1');
    installer = seedToken(dataDir, 'installer', 'installer-1');
    attendant = seedToken(dataDir, 'attendant', 'attendant-1');
    viewer = seedToken(dataDir, 'viewer', 'viewer-1');
  });
  afterAll(async () => t?.close());

  it('without credentials every change is refused (401) and audited; only /healthz and loopback /metrics answer', async () => {
    const p = t.httpPort;
    const attempts: Array<[string, string, string?]> = [
      ['PUT', '/api/planogram', '{"plates":[]}'],
      ['DELETE', '/api/planogram/plates/shelf-a3/0'],
      ['PUT', '/api/calibrations/shelf-a3/0', '{"zero_grams":0,"scale":1}'],
      ['POST', '/api/shelves/shelf-a3/0/tare'],
      ['POST', '/api/lanes/lane-1/attendant', '{"action":"override","note":"x"}'],
    ];
    for (const [method, path, body] of attempts) {
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const res = await raw(p, method, path, headers, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(JSON.parse(res.body).error.code).toBe('SG_UNAUTHENTICATED');
    }
    for (const path of ['/api/devices', '/api/planogram', '/api/lanes', '/api/audit', '/api/occupancy']) {
      expect((await raw(p, 'GET', path)).status, path).toBe(401);
    }
    expect((await raw(p, 'GET', '/healthz')).status).toBe(200);
    expect((await raw(p, 'GET', '/metrics')).status).toBe(200); // from loopback
    const refused = await until('audit of the refusals', () => {
      const r = t.audit('http.').filter((e) => e.actor === 'anonymous' && e.outcome === 'refused');
      return r.length >= attempts.length ? r : undefined;
    });
    expect(refused.map((e) => e.target)).toEqual(expect.arrayContaining(attempts.map((a) => a[1])));
    // The planogram is untouched.
    const plan = await fetch(`${t.base}/api/planogram`, { headers: bearer(viewer) });
    expect(((await plan.json()) as { plates: unknown[] }).plates).toHaveLength(1);
  });

  it('roles: a viewer cannot act on a lane, an attendant cannot edit the planogram, an installer can', async () => {
    const post = (token: string) =>
      fetch(`${t.base}/api/lanes/lane-1/attendant`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'clear', note: 'n' }),
      });
    expect((await post(viewer)).status).toBe(403);
    expect((await post(attendant)).status).toBe(409); // allowed, but there is no open alert
    const plate = (token: string) =>
      fetch(`${t.base}/api/planogram/plates/shelf-a3/1`, {
        method: 'PUT',
        headers: { ...bearer(token), 'content-type': 'application/json', 'x-storegate-user': 'mallory' },
        body: JSON.stringify({ sku: 'tea-120', unit_grams: 120, capacity: 10 }),
      });
    expect((await plate(attendant)).status).toBe(403);
    expect((await plate(installer)).status).toBe(200);
    expect((await fetch(`${t.base}/api/audit`, { headers: bearer(installer) })).status).toBe(403);
    expect((await fetch(`${t.base}/api/audit`, { headers: bearer(admin) })).status).toBe(200);
  });

  it('the changer is the authenticated identity: x-storegate-user and an attendant field are not trusted', async () => {
    const history = (await (
      await fetch(`${t.base}/api/planogram/history`, { headers: bearer(viewer) })
    ).json()) as {
      versions: { changed_by: string }[];
    };
    expect(history.versions[0]?.changed_by).toBe('token:installer-1');
    expect(JSON.stringify(history)).not.toContain('mallory');
    const res = await fetch(`${t.base}/api/lanes/lane-1/attendant`, {
      method: 'POST',
      headers: { ...bearer(attendant), 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'clear', note: 'n', attendant: 'staff-9' }),
    });
    expect(res.status).toBe(400);
    const entry = await until('audited plate change', () =>
      t.audit('http.put').find((e) => e.target === '/api/planogram/plates/shelf-a3/1' && e.outcome === 'ok'),
    );
    expect(entry).toMatchObject({ actor: 'token:installer-1', role: 'installer' });
  });

  it('a revoked or forged token is refused', async () => {
    const dataDir = t.gw.context.config.dataDir;
    const doomed = seedToken(dataDir, 'admin', 'doomed');
    expect((await fetch(`${t.base}/api/devices`, { headers: bearer(doomed) })).status).toBe(200);
    expect(t.gw.access.store.revokeToken('doomed')).toBe(true);
    expect((await fetch(`${t.base}/api/devices`, { headers: bearer(doomed) })).status).toBe(401);
    const forged = `${doomed.slice(0, -4)}AAAA`;
    expect((await fetch(`${t.base}/api/devices`, { headers: bearer(forged) })).status).toBe(401);
    expect(
      (await fetch(`${t.base}/api/devices`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } })).status,
    ).toBe(401);
  });

  it('cross-site and DNS-rebinding requests are refused even with a valid credential', async () => {
    const p = t.httpPort;
    const auth = bearer(admin);
    // A bodyless POST from another site's page (the form/no-cors attack).
    const cross = await raw(p, 'POST', '/api/shelves/shelf-a3/0/tare', {
      ...auth,
      origin: 'http://evil.example',
    });
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body).error.code).toBe('SG_ORIGIN_REFUSED');
    const nullOrigin = await raw(p, 'POST', '/api/shelves/shelf-a3/0/tare', { ...auth, origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    const fetchSite = await raw(p, 'POST', '/api/shelves/shelf-a3/0/tare', {
      ...auth,
      'sec-fetch-site': 'cross-site',
    });
    expect(fetchSite.status).toBe(403);
    // DNS rebinding: the attacker's name now resolves to the gateway; the Host header still names it.
    const rebound = await raw(p, 'GET', '/api/devices', { ...auth, host: `evil.example:${p}` });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body).error.code).toBe('SG_HOST_REFUSED');
    // The same origin is fine.
    const same = await raw(p, 'GET', '/api/devices', {
      ...auth,
      host: `127.0.0.1:${p}`,
      origin: `http://127.0.0.1:${p}`,
    });
    expect(same.status).toBe(200);
  });

  it('lane WebSocket: no login, a foreign Origin or a rebinding Host is refused before the upgrade', async () => {
    const url = `ws://127.0.0.1:${t.httpPort}/api/lanes/lane-1/ws`;
    expect(await wsOpen(url, {})).toBe(401);
    expect(await wsOpen(url, { ...bearer(viewer), origin: 'http://evil.example' })).toBe(403);
    expect(await wsOpen(url, { ...bearer(viewer), host: 'evil.example' })).toBe(421);
    expect(await wsOpen(url, bearer(viewer))).toBe(101);
  });

  it('login is throttled per address and per user, counted before the password check (parallel guesses too)', async () => {
    t.gw.access.store.addUser('alice', 'attendant', 'alice-right-password', 'test', Date.now());
    const login = (password: string) =>
      fetch(`${t.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'alice', password }),
      });
    const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`wrong-${i}`)));
    const statuses = parallel.map((r) => r.status);
    // At most max_failures (5) ever reach scrypt; the rest are refused up front.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    // Even the right password is refused while throttled.
    expect((await login('alice-right-password')).status).toBe(429);
    const throttled = await until('audited throttling', () => {
      const e = t.audit('login.throttled');
      return e.length >= 15 ? e : undefined;
    });
    expect(throttled[0]).toMatchObject({ actor: 'user:alice', outcome: 'refused', address: '127.0.0.1' });
  });

  it('audit entries reach the outbox as must-deliver events; /api/audit filters them', async () => {
    const forwarded = await until('audit.entry events', () => {
      const e = t.events.filter((x) => x.type === 'audit.entry');
      return e.length >= 10 ? e : undefined;
    });
    expect(forwarded[0]).toMatchObject({ stream: 'audit', dataClass: 'must_deliver' });
    const body = (await (
      await fetch(`${t.base}/api/audit?action=login.&limit=5`, { headers: bearer(admin) })
    ).json()) as { entries: { action: string }[] };
    expect(body.entries).toHaveLength(5);
    expect(body.entries.every((e) => e.action.startsWith('login.'))).toBe(true);
  });
});
