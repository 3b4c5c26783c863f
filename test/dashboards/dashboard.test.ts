import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { createLogger } from '../../shared/src/logger.js';
import { authedFetch, seedToken, seedUser } from '../support/auth.js';
import { ensurePeer, freePort } from '../support/peers.js';

/** The ops dashboard in a real headless Chromium against a real gateway fed by a real MQTT door counter. */
describe('dashboard in headless Chromium', () => {
  let gateway: Gateway;
  let browser: Browser;
  let base: string;
  let client: mqtt.MqttClient;
  let api: (url: string) => Promise<Response>;

  beforeAll(async () => {
    const executablePath = ensurePeer('chromium');
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'sg-dash-'));
    const config = parseConfig(
      {
        store: { id: 'dash-store' },
        data_dir: dir,
        http: { host: '127.0.0.1', port: httpPort },
        broker: { host: '127.0.0.1', port: brokerPort },
      },
      { env: {} },
    );
    gateway = await buildGateway(config, { logger: createLogger({ level: 'silent' }) });
    const { secret } = gateway.context.registry.add({
      id: 'door-1',
      kind: 'door',
      location: { door: 'main' },
    });
    await gateway.start();
    base = `http://127.0.0.1:${httpPort}`;
    seedUser(dir, 'ops', 'viewer', 'ops-password-123');
    api = authedFetch(seedToken(dir, 'viewer'));
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      clientId: 'door-1',
      username: 'door-1',
      password: secret,
    });
    const t = Date.now();
    await client.publishAsync('devices/door-1/door', JSON.stringify({ t: t - 2000, in: 100, out: 90 }), {
      qos: 1,
    });
    await client.publishAsync('devices/door-1/door', JSON.stringify({ t: t - 1000, in: 107, out: 92 }), {
      qos: 1,
    });
    browser = await chromium.launch({
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await client?.endAsync();
    await gateway?.stop('test done');
  });

  it('shows live occupancy, today’s entries and the door counter online', async () => {
    const occupancy = (await (await api(`${base}/api/occupancy`)).json()) as {
      occupancy: number;
      in: number;
    };
    expect(occupancy.in).toBeGreaterThan(0);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Not logged in: the dashboard sends the browser to the login page, which returns it after login.
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('#name', 'ops');
    await page.fill('#password', 'ops-password-123');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/dashboard\/$/);
    await expect
      .poll(() => page.textContent('#occupancy'), { timeout: 10_000 })
      .toBe(String(occupancy.occupancy));
    expect(await page.textContent('#entries')).toBe(String(occupancy.in));
    const deviceRow = page.locator('#devices tbody tr', { hasText: 'door-1' });
    await expect.poll(() => deviceRow.textContent(), { timeout: 10_000 }).toContain('online');
    expect(await page.textContent('#health')).toBe('live');
    // The vendored chart library (no internet needed) drew the footfall chart; its totals agree with the cards.
    await expect
      .poll(() => page.locator('#chart-footfall .uplot canvas').count(), { timeout: 10_000 })
      .toBe(1);
    await expect
      .poll(() => page.textContent('#footfall-summary'), { timeout: 10_000 })
      .toContain(`Today: ${occupancy.in} entries`);
    await page.screenshot({ path: join(tmpdir(), 'storegate-dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('serves only the dashboard files it knows, and the vendored chart library', async () => {
    expect((await api(`${base}/dashboard/../../package.json`)).status).toBe(404);
    expect((await api(`${base}/dashboard/secret.txt`)).status).toBe(404);
    expect((await api(`${base}/dashboard/vendor/..%2F..%2Fpackage.json`)).status).toBe(404);
    const lib = await api(`${base}/dashboard/vendor/uplot.js`);
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toContain('text/javascript');
    expect(await lib.text()).toContain('uPlot');
  });
});
