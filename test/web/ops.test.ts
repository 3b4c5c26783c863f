import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeDemo,
  type DemoGateway,
  horizontalOverflow,
  launchBrowser,
  loginAs,
  screenshot,
  startDemo,
  TEST_LANE,
  until,
  WIDTHS,
} from '../support/browser.js';
import { laneState, scan } from './lane-driver.js';

interface Plate {
  device: string;
  channel: number;
  stock: number | null;
  stock_alarm: 'ok' | 'low' | 'out' | null;
}
interface Device {
  id: string;
  state: string;
  firmware: string | null;
  accepted: number;
}

/** Poll until what the page shows equals what the API answers at the same moment (both move in a live demo). */
async function matches<T>(what: string, api: () => Promise<T>, page: () => Promise<T>): Promise<T> {
  let last: [T, T] | null = null;
  try {
    return await until(
      what,
      async () => {
        const [a, p] = [await api(), await page()];
        last = [a, p];
        return JSON.stringify(a) === JSON.stringify(p) ? p : undefined;
      },
      30_000,
    );
  } catch (err) {
    throw new Error(
      `${what}: API ${JSON.stringify(last?.[0])} vs page ${JSON.stringify(last?.[1])} (${err})`,
    );
  }
}

const plateKey = (p: { device: string; channel: number }) => `${p.device}/${p.channel}`;

describe('ops dashboard (viewer) in Chromium against the running demo', () => {
  let demo: DemoGateway;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await closeDemo(demo);
  });

  async function checkScreen(page: Page) {
    await matches(
      'occupancy cards',
      async () => {
        const o = await demo.api<{ occupancy: number; in: number; out: number }>('/api/occupancy');
        return [String(o.occupancy), String(o.in), String(o.out)];
      },
      async () => Promise.all(['#occupancy', '#entries', '#exits'].map((s) => page.textContent(s))),
    );
    // The chart's totals for today agree with the live cards (the open minute is counted live).
    await matches(
      'footfall totals for today',
      async () => {
        const o = await demo.api<{ in: number; out: number }>('/api/occupancy');
        return `Today: ${o.in} entries, ${o.out} exits`;
      },
      async () => ((await page.textContent('#footfall-summary')) ?? '').split(',').slice(0, 2).join(','),
    );
    // The chart library drew the three charts, with axes (canvas + axis labels in the legend).
    expect(await page.locator('#chart-footfall .uplot canvas').count()).toBe(1);
    expect(await page.locator('#chart-occupancy .uplot canvas').count()).toBe(1);
    expect(await page.locator('#chart-conversion .uplot canvas').count()).toBe(1);
    expect(await page.textContent('#chart-footfall .u-legend')).toContain('entries so far (partial)');

    await matches(
      'out-of-stock and low-stock lists (no "ok" plate listed)',
      async () => {
        const { plates } = await demo.api<{ plates: Plate[] }>('/api/shelves');
        const of = (a: string) =>
          plates
            .filter((p) => p.stock_alarm === a)
            .map(plateKey)
            .sort();
        return { out: of('out'), low: of('low') };
      },
      async () => {
        const of = (id: string) =>
          page.$$eval(`#${id} li[data-plate]`, (els) => els.map((e) => e.getAttribute('data-plate')!).sort());
        return { out: await of('out-of-stock'), low: await of('low-stock') };
      },
    );
    await matches(
      'pick heatmap',
      async () => {
        const [{ plates }, picks] = await Promise.all([
          demo.api<{ plates: Plate[] }>('/api/shelves'),
          demo.api<{ plates: (Plate & { picks: number })[] }>('/api/shelves/picks?hours=24'),
        ]);
        const n = new Map(picks.plates.map((p) => [plateKey(p), p.picks]));
        return plates.map((p) => `${plateKey(p)}=${n.get(plateKey(p)) ?? 0}`).sort();
      },
      async () =>
        (
          await page.$$eval('#heatmap .heat-cell', (els) =>
            els.map((e) => `${e.getAttribute('data-plate')}=${e.getAttribute('data-picks')}`),
          )
        ).sort(),
    );

    const devices = await matches(
      'device list',
      async () =>
        (await demo.api<{ devices: Device[] }>('/api/devices')).devices.map((d) => `${d.id}:${d.state}`),
      async () =>
        page.$$eval('#devices tbody tr', (rows) =>
          rows.map((r) => `${r.getAttribute('data-device')}:${r.querySelector('.state')?.textContent}`),
        ),
    );
    expect(devices.length).toBeGreaterThan(5);
    await page.click('#devices tbody tr[data-device="door-1"]');
    const door = await demo.api<Device>('/api/devices/door-1');
    expect(await page.textContent('#device-detail [data-field="firmware"]')).toBe(door.firmware ?? '–');
    expect(await page.textContent('#device-detail [data-field="connected"]')).toBe('yes');
    expect(await page.textContent('#device-detail')).toContain('Rejections by reason');

    // Every stock alarm is in the alarm list, with an age.
    const { plates } = await demo.api<{ plates: (Plate & { sku: string })[] }>('/api/shelves');
    const alarms = (await page.textContent('#alarms')) ?? '';
    for (const p of plates.filter((x) => x.stock_alarm === 'low' || x.stock_alarm === 'out'))
      expect(alarms).toContain(`${p.device}/${p.channel} ${p.sku}`);
    // Each alarm listed carries its age (early in a demo run there may be none yet).
    const items = await page.locator('#alarms li:not(.none)').count();
    const ages = await page.locator('#alarms li .age').allTextContents();
    expect(ages).toHaveLength(items);
    for (const age of ages) expect(age).toMatch(/^since \d+/);
  }

  for (const width of WIDTHS) {
    it(`at ${width} px: cards, charts, stock lists, heatmap, devices and alarms match the API`, async () => {
      const s = await loginAs(browser, demo, 'viewer', '/dashboard/', width);
      try {
        await until('first refresh', async () => (await s.page.textContent('#health')) === 'live');
        await checkScreen(s.page);
        // Another range: the summary and its totals follow.
        await s.page.click('#ranges button[data-range="yesterday"]');
        await until('yesterday shown', async () =>
          ((await s.page.textContent('#footfall-summary')) ?? '').startsWith('Yesterday: 0 entries, 0 exits'),
        );
        await s.page.click('#ranges button[data-range="today"]');
        await until('today again', async () =>
          ((await s.page.textContent('#footfall-summary')) ?? '').startsWith('Today:'),
        );
        await s.page.click('#devices tbody tr[data-device="door-1"]'); // detail closed for the picture
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        await screenshot(s.page, 'ops', width);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    }, 120_000);
  }

  it('a lane tile follows a scan within 2 s (WebSocket)', async () => {
    const s = await loginAs(browser, demo, 'viewer', '/dashboard/', 1400);
    try {
      const tile = s.page.locator(`#lanes .tile[data-lane="${TEST_LANE.id}"]`);
      await until('the test lane tile', async () => (await tile.count()) === 1);
      await until('the tile live', async () => !(await tile.getAttribute('class'))?.includes('stale'));
      const before = (await laneState(demo)).scanned;
      await until(
        'the tile shows the current count',
        async () => (await tile.getAttribute('data-scanned')) === String(before),
      );
      const sent = Date.now();
      await scan(demo);
      const sel = `#lanes .tile[data-lane="${TEST_LANE.id}"]`;
      await s.page.waitForFunction(
        `document.querySelector('${sel}')?.getAttribute('data-scanned') === '${before + 1}'`,
        undefined,
        { timeout: 10_000, polling: 50 },
      );
      const took = Date.now() - sent;
      expect(took, `tile updated ${took} ms after the scan`).toBeLessThan(2000);
      expect((await laneState(demo)).scanned).toBe(before + 1);
      expect(await tile.textContent()).toContain(`/${before + 1} items verified`);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('not logged in: the dashboard sends the browser to the login page; a wrong password is said', async () => {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 700 } });
      const page = await context.newPage();
      await page.goto(`${demo.base}/dashboard/`);
      await page.waitForURL(/\/login\?next=%2Fdashboard%2F/);
      await page.waitForSelector('#login:not([hidden])');
      await page.fill('#name', 'vera-viewer');
      await page.fill('#password', 'not-her-password');
      await page.click('button[type=submit]');
      await until('the error', async () => ((await page.textContent('#msg')) ?? '').includes('wrong'));
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'login', width);
      await context.close();
    }
  }, 60_000);

  it('links to other screens only for roles that may open them', async () => {
    const viewer = await loginAs(browser, demo, 'viewer', '/dashboard/', 1400);
    const installer = await loginAs(browser, demo, 'installer', '/dashboard/', 1400);
    try {
      await until('viewer header', async () => (await viewer.page.textContent('#who')) !== null);
      await until('installer header', async () => (await installer.page.textContent('#who')) !== null);
      expect(await viewer.page.isVisible('nav a[href="attendant.html"]')).toBe(false);
      expect(await installer.page.isVisible('nav a[href="attendant.html"]')).toBe(true);
      expect(await installer.page.isVisible('nav a[href="installer.html"]')).toBe(true);
    } finally {
      await viewer.close();
      await installer.close();
    }
  }, 60_000);

  // Last: it stops the demo.
  it('when the gateway stops, the page says so, greys the figures and "updated" stops', async () => {
    const s = await loginAs(browser, demo, 'viewer', '/dashboard/', 800);
    try {
      await until('live', async () => (await s.page.textContent('#health')) === 'live');
      const shown = await s.page.textContent('#occupancy');
      await demo.stop();
      await until('offline badge', async () => (await s.page.textContent('#health')) === 'offline', 30_000);
      expect(await s.page.evaluate("document.body.classList.contains('stale')")).toBe(true);
      const updated = (await s.page.textContent('#updated')) ?? '';
      expect(updated).toMatch(/gateway unreachable since .* figures are from/);
      // Past another refresh period nothing pretends to be fresh: same text, same (old) figures.
      await new Promise((r) => setTimeout(r, 6000));
      expect(await s.page.textContent('#updated')).toBe(updated);
      expect(await s.page.textContent('#occupancy')).toBe(shown);
      const opacity = await s.page.evaluate("getComputedStyle(document.getElementById('occupancy')).opacity");
      expect(Number(opacity)).toBeLessThan(1);
      await until('lane tiles stale', async () =>
        (await s.page.locator('#lanes .tile.stale').count()) > 0 ? true : undefined,
      );
      await screenshot(s.page, 'ops-stale', 800);
    } finally {
      await s.close();
    }
  }, 60_000);
});
