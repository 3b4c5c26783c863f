import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { createLogger } from '../../shared/src/logger.js';
import { authedFetch, seedToken, seedUser } from '../support/auth.js';
import { launchBrowser, loginAs, USERS, until } from '../support/browser.js';
import { freePort } from '../support/peers.js';

/**
 * The demo has no refrigeration: the cold-chain side of the alarm list, and a battery-powered sensor's
 * device detail, against a real gateway with one chilled unit fed by a real MQTT env sensor.
 */
describe('ops dashboard alarms: cold chain and sensor detail (Chromium)', () => {
  let gateway: Gateway;
  let browser: Browser;
  let client: mqtt.MqttClient;
  let base: string;
  let dir: string;
  let api: <T>(path: string) => Promise<T>;

  beforeAll(async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    dir = mkdtempSync(join(tmpdir(), 'sg-web-cold-'));
    const config = parseConfig(
      {
        store: { id: 'cold-store' },
        data_dir: dir,
        http: { host: '127.0.0.1', port: httpPort },
        broker: { host: '127.0.0.1', port: brokerPort },
        coldchain: {
          units: [
            { id: 'chiller-9', class: 'chilled', max_c: 5, high_for_min: 0, source: { device: 'env-9' } },
          ],
        },
      },
      { env: {} },
    );
    gateway = await buildGateway(config, { logger: createLogger({ level: 'silent' }) });
    const { secret } = gateway.context.registry.add({
      id: 'env-9',
      kind: 'env',
      location: { zone: 'chilled', fixture: 'chiller-9' },
    });
    await gateway.start();
    base = `http://127.0.0.1:${httpPort}`;
    seedUser(dir, USERS.viewer.name, 'viewer', USERS.viewer.password);
    const fetchAuthed = authedFetch(seedToken(dir, 'viewer'));
    api = async (path) => (await (await fetchAuthed(`${base}${path}`)).json()) as never;
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      clientId: 'env-9',
      username: 'env-9',
      password: secret,
    });
    await client.publishAsync(
      'devices/env-9/status',
      JSON.stringify({ t: Date.now(), firmware: '2.1.0', battery_pct: 41, rssi_dbm: -67 }),
      { qos: 1 },
    );
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await client?.endAsync();
    await gateway?.stop('test done');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a cold-chain alarm is listed with its age; the sensor detail shows battery, RSSI and firmware', async () => {
    const s = await loginAs(browser, { base }, 'viewer', '/dashboard/', 800);
    try {
      await client.publishAsync('devices/env-9/env', JSON.stringify({ t: Date.now(), temp_c: 9.5 }), {
        qos: 1,
      });
      const active = await until('the alarm raised', async () => {
        const r = await api<{ active: { unit: string; alarm: string }[] }>('/api/haccp/alarms');
        return r.active.length > 0 ? r.active : undefined;
      });
      expect(active[0]).toMatchObject({ unit: 'chiller-9', alarm: 'high' });
      const item = s.page.locator('#alarms li[data-kind="cold chain"]');
      await until('the alarm on the page', async () => (await item.count()) === 1);
      expect(await item.textContent()).toContain('chiller-9: high at 9.5 °C (limit 5 °C)');
      expect(await item.locator('.age').textContent()).toMatch(/^since \d+s$/);
      // Critical alarms first.
      expect(await s.page.locator('#alarms li').first().getAttribute('data-kind')).toBe('cold chain');

      const device = await api<{ battery_pct: number; rssi_dbm: number; firmware: string }>(
        '/api/devices/env-9',
      );
      expect(device).toMatchObject({ battery_pct: 41, rssi_dbm: -67, firmware: '2.1.0' });
      await s.page.click('#devices tbody tr[data-device="env-9"]');
      const field = (name: string) => s.page.textContent(`#device-detail [data-field="${name}"]`);
      await until(
        'the detail with the status',
        async () => (await field('battery')) === `${device.battery_pct}%`,
      );
      expect(await field('RSSI')).toBe(`${device.rssi_dbm} dBm`);
      expect(await field('firmware')).toBe(device.firmware);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  }, 60_000);
});
