import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Role } from '../../gateway/src/core/identity.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { seedUser } from './auth.js';
import { spawnDemo } from './demo.js';
import { ensurePeer } from './peers.js';

/**
 * Browser tests of the web screens: headless Chromium (playwright-core, the system's /usr/bin/chromium)
 * against `npm run demo` — a real gateway in a child process, fed by the demo simulators — on free ports in a
 * temp dir. Plus one extra lane (`lane-t`: scanner-t, scale-t, pos-t) that only the test drives, so a test can
 * cause a scan or an alert at a moment it chooses.
 */

const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'dashboards/screenshots');
export const WIDTHS = [390, 800, 1400] as const;
export type Width = (typeof WIDTHS)[number];

/** One user per role, created in the demo's registry (same store as `storegate user add`). */
export const USERS: Record<Role, { name: string; password: string }> = {
  viewer: { name: 'vera-viewer', password: 'viewer-password-123' },
  attendant: { name: 'alex-attendant', password: 'attendant-password-123' },
  installer: { name: 'ines-installer', password: 'installer-password-123' },
  admin: { name: 'ada-admin', password: 'admin-password-123' },
};

export const TEST_LANE = { id: 'lane-t', scanner: 'scanner-t', scale: 'scale-t', pos: 'pos-t' } as const;

export interface DemoGateway {
  base: string;
  dataDir: string;
  httpPort: number;
  brokerPort: number;
  /** The demo's admin API token (from its banner). */
  token: string;
  /** Everything the demo printed so far. */
  output(): string;
  /** GET an API path with the admin token, parsed JSON. */
  api<T = unknown>(path: string): Promise<T>;
  /** Publish as one of the test lane's devices: `lane('scanner', 'scan', {code})`. */
  lane(role: 'scanner' | 'scale' | 'pos', suffix: string, payload: Record<string, unknown>): Promise<void>;
  /** SIGTERM the demo (the gateway goes away; pages should turn stale). Idempotent. */
  stop(): Promise<void>;
}

/** Start `npm run demo` (built) on free ports; resolves once the banner is printed and the API answers. */
export async function startDemo(): Promise<DemoGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-web-'));
  const secrets = new Map<string, string>();
  const registry = openSqliteDeviceRegistry(join(dataDir, 'registry.db'), {});
  try {
    for (const role of ['scanner', 'scale', 'pos'] as const) {
      const id = TEST_LANE[role];
      secrets.set(role, registry.add({ id, kind: role, location: { lane: TEST_LANE.id } }).secret);
    }
  } finally {
    registry.close();
  }
  const demo = await spawnDemo({ dataDir });
  const { base, httpPort, brokerPort } = demo;
  let token = '';
  const clients = new Map<string, mqtt.MqttClient>();
  const stop = async () => {
    await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
    clients.clear();
    await demo.stop();
  };
  try {
    token = await demo.banner();
    await until('the demo API', async () => {
      const res = await fetch(`${base}/api/lanes`, { headers: { authorization: `Bearer ${token}` } });
      return res.ok || undefined;
    });
    for (const role of Object.keys(USERS) as Role[]) {
      seedUser(dataDir, USERS[role].name, role, USERS[role].password);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const lane: DemoGateway['lane'] = async (role, suffix, payload) => {
    const id = TEST_LANE[role];
    let client = clients.get(id);
    if (!client) {
      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
        clientId: id,
        username: id,
        password: secrets.get(role)!,
        reconnectPeriod: 0,
      });
      clients.set(id, client);
    }
    await client.publishAsync(`devices/${id}/${suffix}`, JSON.stringify({ t: Date.now(), ...payload }), {
      qos: 1,
    });
  };
  return {
    base,
    dataDir,
    httpPort,
    brokerPort,
    token,
    output: demo.output,
    api,
    lane,
    stop,
  };
}

/** Stop the demo and remove its data dir. */
export async function closeDemo(demo: DemoGateway | undefined): Promise<void> {
  if (!demo) return;
  await demo.stop();
  rmSync(demo.dataDir, { recursive: true, force: true });
}

/** Headless Chromium from the system (`/usr/bin/chromium`; installed with apt when root, else a clear error). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = ensurePeer('chromium');
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface ScreenPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors in the page (a screen should have none). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser context (its own cookies) at `width`, logged in as the role's user through the login page,
 * then on `path` (e.g. `/dashboard/`). Fails with what the login page said when the login does not succeed.
 */
export async function loginAs(
  browser: Browser,
  demo: Pick<DemoGateway, 'base'>,
  role: Role,
  path: string,
  width: number = 1400,
): Promise<ScreenPage> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${demo.base}${path}`);
  await page.waitForURL(/\/login\?next=/, { timeout: 30_000 });
  await page.waitForSelector('#login:not([hidden])', { timeout: 30_000 });
  await page.fill('#name', USERS[role].name);
  await page.fill('#password', USERS[role].password);
  await page.click('button[type=submit]');
  const target = new URL(path, demo.base).pathname;
  try {
    await page.waitForURL((url) => url.pathname === target, { timeout: 30_000 });
  } catch (err) {
    throw new Error(`login as ${role} failed: ${await page.textContent('#msg').catch(() => '?')}: ${err}`);
  }
  return { context, page, errors, close: () => context.close() };
}

/**
 * Full-page screenshot to dashboards/screenshots/<screen>-<width>.png (committed, linked from the README), only
 * with UPDATE_SCREENSHOTS=1: an ordinary test run leaves the committed images alone and skips the capture
 * (no test asserts on the image). Returns the path written, or null.
 */
export async function screenshot(page: Page, screen: string, width: number): Promise<string | null> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return null;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${screen}-${width}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** The page's layout is no wider than its viewport (no horizontal scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
      .documentElement;
    return d.scrollWidth - (globalThis as unknown as { innerWidth: number }).innerWidth;
  });
}

/** Poll `fn` until it returns a truthy value; throws with `what` after `ms`. */
export async function until<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
      if (err instanceof Error && err.message.startsWith('the demo exited early')) throw err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
