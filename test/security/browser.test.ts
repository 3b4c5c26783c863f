import { createServer, type Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePeer, freePort } from '../support/peers.js';
import { startTarget, type TargetGateway, until } from './support.js';

/**
 * Real Chromium against a running gateway: the first-run page, login, the session cookie's attributes, CSRF
 * on state-changing requests, and a malicious page on another origin of the same machine (same *site* for
 * cookies, so SameSite alone would not stop it) trying a bodyless POST and a form POST.
 */
describe('browser sessions, CSRF and a cross-origin attack page (Chromium)', () => {
  let t: TargetGateway;
  let browser: Browser;
  let evil: Server;
  let evilPort: number;

  beforeAll(async () => {
    const executablePath = ensurePeer('chromium');
    t = await startTarget();
    evilPort = await freePort();
    const target = t.base;
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><body>
        <form id="f" method="POST" action="${target}/api/shelves/shelf-a3/0/tare"></form>
        <script>
          fetch('${target}/api/shelves/shelf-a3/0/tare', { method: 'POST', mode: 'no-cors', credentials: 'include' })
            .then(() => { document.title = 'fetched'; document.getElementById('f').submit(); });
        </script></body>`);
    });
    await new Promise<void>((r) => evil.listen(evilPort, '127.0.0.1', () => r()));
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    evil?.close();
    await t?.close();
  });

  it('with no user, the web UI says how to create the first admin', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.base}/dashboard/`);
    await page.waitForURL(/\/login/);
    await until('setup text', async () => (await page.isVisible('#setup')) || undefined);
    expect(await page.textContent('#setup')).toContain('storegate user add <name> --role admin');
    await page.close();
  });

  it('login sets an HttpOnly SameSite=Strict session; state changes need the CSRF token; a foreign page is refused', async () => {
    t.gw.access.store.addUser('ines', 'installer', 'ines-long-password', 'test', Date.now());
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.base}/dashboard/`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('#name', 'ines');
    await page.fill('#password', 'wrong-password-1');
    await page.click('button[type=submit]');
    await until(
      'error shown',
      async () => ((await page.textContent('#msg')) || '').includes('wrong') || undefined,
    );
    await page.fill('#password', 'ines-long-password');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/dashboard\/$/);

    const cookies = await context.cookies(t.base);
    const session = cookies.find((c) => c.name === 'sg_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).not.toContain('sg_session');

    const result = await page.evaluate(async () => {
      const { cookie } = (globalThis as unknown as { document: { cookie: string } }).document;
      const csrf = /sg_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
      const put = (headers: Record<string, string>) =>
        fetch('/api/planogram/plates/shelf-a3/2', {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ sku: 'tea-120', unit_grams: 120, capacity: 10 }),
        }).then((r) => r.status);
      return {
        without: await put({}),
        wrong: await put({ 'x-csrf-token': 'nope' }),
        with: await put({ 'x-csrf-token': csrf }),
      };
    });
    expect(result).toEqual({ without: 403, wrong: 403, with: 200 });
    const history = t.gw.access.audit.query({ action: 'http.put' });
    expect(history.find((e) => e.outcome === 'ok')).toMatchObject({ actor: 'user:ines', role: 'installer' });

    // The attack page, logged-in victim, same browser: the cookie is sent (same site), Origin is not ours.
    const before = t.audit('http.post').length;
    const attack = await context.newPage();
    await attack.goto(`http://127.0.0.1:${evilPort}/`);
    const refused = await until('both attack requests refused and audited', () => {
      const r = t.audit('http.post').slice(0, t.audit('http.post').length - before);
      return r.filter((e) => e.target === '/api/shelves/shelf-a3/0/tare').length >= 2 ? r : undefined;
    });
    expect(refused.every((e) => e.outcome === 'refused' && e.detail.status === 403)).toBe(true);
    expect(refused[0]!.actor).toBe('user:ines'); // the victim's session was presented — and refused
    await context.close();
  });
});
