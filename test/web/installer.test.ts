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
  until,
  WIDTHS,
} from '../support/browser.js';
import { BenchLoadCell } from './installer-support.js';

interface Facing {
  id: string;
  sku: string;
  capacity: number;
  plates: { device: string; channel: number }[];
}

/**
 * The installer web in headless Chromium against the running demo, at 390, 800 and 1400 px, as an installer on
 * a bench: add a shelf controller and read its QR code, import a CSV with a bad line, lay a facing over two of
 * its plates and edit it, then connect the controller with the QR's credentials and calibrate a plate while
 * the live reading follows the weights; import a catalog. A viewer and an attendant are turned away.
 */
describe('installer web (Chromium, demo gateway)', () => {
  let demo: DemoGateway;
  let browser: Browser;
  const cells: BenchLoadCell[] = [];

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    for (const c of cells) await c.stop();
    await browser?.close();
    await closeDemo(demo);
  });

  const text = async (page: Page, selector: string) => (await page.textContent(selector)) ?? '';
  const status = async (path: string) =>
    (await fetch(`${demo.base}${path}`, { headers: { authorization: `Bearer ${demo.token}` } })).status;

  async function visible(page: Page, selector: string) {
    await page.waitForSelector(`${selector}:not([hidden])`, { timeout: 30_000 });
  }

  async function liveValue(page: Page, near: number) {
    return until(`live reading near ${near}`, async () => {
      const v = Number(await text(page, '#live-value'));
      return Math.abs(v - near) < 3 ? v : undefined;
    });
  }

  for (const width of WIDTHS) {
    it(`at ${width} px: add with QR, CSV line errors, facing editor, live calibration, catalog`, async () => {
      const bench = `bench-${width}`;
      const screen = await loginAs(browser, demo, 'installer', '/dashboard/installer.html', width);
      const { page } = screen;
      try {
        // Add a device: the secret and its QR code are shown once.
        await page.waitForSelector('#add-kind option[value=shelf]', { state: 'attached' });
        await page.fill('#add-id', bench);
        await page.selectOption('#add-kind', 'shelf');
        await page.fill('#add-form input[name=aisle]', 'z');
        await page.fill('#add-form input[name=labels]', 'bench=yes');
        await page.click('#add-submit');
        await visible(page, '#credentials');
        expect(await text(page, '#cred-id')).toBe(bench);
        expect(await page.getAttribute('#qr', 'src')).toMatch(/^data:image\/png;base64,/);
        const qrWidth = await page.$eval(
          '#qr',
          (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
        );
        expect(qrWidth).toBeGreaterThan(50);
        const payload = JSON.parse((await page.getAttribute('#qr', 'data-payload'))!) as {
          broker: string;
          device_id: string;
          secret: string;
        };
        expect(payload.device_id).toBe(bench);
        expect(await text(page, '#cred-secret')).toBe(payload.secret);
        await until(
          'device listed',
          async () => (await page.locator(`#device-list tr[data-id="${bench}"]`).count()) > 0,
        );
        await page.fill('#add-id', bench);
        await page.click('#add-submit');
        await visible(page, '#add-error');
        expect(await text(page, '#add-error')).toContain('SG_DEVICE_EXISTS');
        await page.fill('#add-id', '');
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, 'installer-devices', width);

        // Bulk import: one bad row, reported by line; nothing registered.
        await page.click('a[data-screen=import]');
        await page.fill(
          '#csv',
          `id,kind,aisle\nimp-${width}-1,shelf,y\nimp-${width}-2,fridge,y\nimp-${width}-3,door,\n`,
        );
        await page.click('#import-submit');
        await visible(page, '#import-errors');
        expect(await text(page, '#import-lines')).toMatch(/line 3: kind: kind must be one of/);
        expect(await page.locator('#import-lines li').count()).toBe(1);
        expect(await status(`/api/devices/imp-${width}-1`)).toBe(404);
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, 'installer-import', width);
        await page.fill('#csv', `id,kind,aisle\nimp-${width}-1,shelf,y\nimp-${width}-3,door,\n`);
        await page.click('#import-submit');
        await visible(page, '#import-result');
        expect(await page.locator('#import-table tbody tr').count()).toBe(2);
        expect(await status(`/api/devices/imp-${width}-3`)).toBe(200);

        // Planogram: a facing over two adjacent plates of the new controller, then edited.
        await page.click('a[data-screen=planogram]');
        await page.waitForSelector('#facings tbody tr');
        await page.click('#facing-new');
        await page.fill('#f-sku', `tin-${width}`);
        await page.fill('#f-unit', '400');
        await page.fill('#f-capacity', '10');
        for (const channel of ['0', '2']) {
          await page.fill('#f-add-device', bench);
          await page.fill('#f-add-channel', channel);
          await page.click('#f-add-plate');
        }
        await page.click('#facing-save');
        await visible(page, '#facing-error');
        expect(await text(page, '#facing-error')).toContain('must be adjacent');
        await page.uncheck(`#f-plates input[value="${bench}#2"]`);
        await page.fill('#f-add-device', bench);
        await page.fill('#f-add-channel', '1');
        await page.click('#f-add-plate');
        await page.click('#facing-save');
        await visible(page, '#plano-msg');
        const facingOf = async () =>
          (await demo.api<{ facings: Facing[] }>('/api/shelves')).facings.find(
            (f) => f.sku === `tin-${width}`,
          );
        const created = await until('the facing in /api/shelves', facingOf);
        expect(created.plates).toEqual([
          { device: bench, channel: 0 },
          { device: bench, channel: 1 },
        ]);
        await page.click(`#facings tr[data-facing="${created.id}"] button`);
        await visible(page, '#facing-form');
        await page.fill('#f-capacity', '12');
        await page.fill('#f-name', 'Tomatoes 400 g');
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, 'installer-planogram', width);
        await page.click('#facing-save');
        const edited = await until('the edit in /api/shelves', async () => {
          const f = await facingOf();
          return f?.capacity === 12 ? f : undefined;
        });
        expect(edited).toMatchObject({ name: 'Tomatoes 400 g', plates: created.plates });

        // Calibration checks the plate before any physical step: the controller is not connected yet.
        await page.click('a[data-screen=calibrate]');
        await page.waitForSelector(`#cal-plate option[value="${bench}#0"]`, { state: 'attached' });
        await page.selectOption('#cal-plate', `${bench}#0`);
        await until('no readings shown', async () => (await text(page, '#live-state')) === 'no readings');
        await page.click('#cal-start');
        await visible(page, '#cal-error');
        expect(await text(page, '#cal-error')).toContain('[SG_NOT_READY] no readings from');
        expect(await page.isHidden('#cal-panel')).toBe(true);

        // The controller connects with the QR's credentials; the live reading follows the plate.
        const cell = await BenchLoadCell.connect(payload, [0, 1]);
        cells.push(cell);
        cell.level = 812;
        await liveValue(page, 812);
        await page.click('#cal-start');
        const step = async (question: RegExp, answer: string) => {
          await visible(page, '#cal-form');
          await until(`question ${question}`, async () => question.test(await text(page, '#cal-question')));
          await page.fill('#cal-answer', answer);
          await page.click('#cal-continue');
        };
        await step(/Empty the plate/, '');
        await step(/span weight in grams/, 'half a kilo');
        await until('re-asked', async () =>
          (await text(page, '#cal-log')).includes('is not a weight in grams'),
        );
        await step(/span weight in grams/, '500');
        await visible(page, '#cal-form');
        cell.level = 812 + 500 * 2.5;
        await liveValue(page, 2062);
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, 'installer-calibrate', width);
        await step(/Put the 500 g weight/, '');
        await step(/Second weight/, '');
        await step(/Installer note/, `bench ${width}`);
        await visible(page, '#cal-result');
        const saved = /Saved: zero ([\d.]+), scale ([\d.]+)/.exec(await text(page, '#cal-result'));
        expect(Number(saved?.[1])).toBeCloseTo(812, 0);
        expect(Number(saved?.[2])).toBeCloseTo(0.4, 3);
        const { calibrations } = await demo.api<{
          calibrations: { device: string; channel: number; installer: string }[];
        }>('/api/calibrations');
        expect(calibrations.find((c) => c.device === bench && c.channel === 0)?.installer).toContain(
          'ines-installer',
        );

        // Catalog import: a rejected document changes nothing, a good one is applied.
        await page.click('a[data-screen=catalog]');
        await until('catalog version', async () => (await text(page, '#catalog-version')) !== '–');
        const before = await text(page, '#catalog-version');
        await page.fill('#catalog-json', JSON.stringify({ items: [{ gtin: '123', sku: 'x' }] }));
        await page.click('#catalog-submit');
        await visible(page, '#catalog-error');
        expect(await text(page, '#catalog-error')).toContain('SG_PAYLOAD_REJECTED');
        expect(await text(page, '#catalog-version')).toBe(before);
        await page.fill(
          '#catalog-json',
          JSON.stringify({ items: [{ gtin: '4006381333931', sku: `pen-${width}`, grams: 12 }] }),
        );
        await page.click('#catalog-submit');
        await visible(page, '#catalog-result');
        await until('catalog updated', async () =>
          (await text(page, '#catalog-version')).includes('1 item(s)'),
        );
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, 'installer-catalog', width);

        // Remove asks first; "Keep" keeps the device.
        await page.click('a[data-screen=devices]');
        const row = page.locator(`#device-list tr[data-id="imp-${width}-3"]`);
        await row.locator('button').click();
        await visible(page, '#confirm');
        expect(await text(page, '#confirm-text')).toContain(`Remove device imp-${width}-3?`);
        await page.click('#confirm button[value=cancel]');
        expect(await status(`/api/devices/imp-${width}-3`)).toBe(200);
        await row.locator('button').click();
        await page.click('#confirm-ok');
        await until('row gone', async () => (await row.count()) === 0);
        expect(await status(`/api/devices/imp-${width}-3`)).toBe(404);
        expect(screen.errors).toEqual([]);
      } finally {
        await screen.close();
      }
    }, 180_000);
  }

  for (const role of ['viewer', 'attendant'] as const) {
    it(`turns a ${role} away, page and API`, async () => {
      const screen = await loginAs(browser, demo, role, '/dashboard/installer.html', 390);
      try {
        const body = (await screen.page.textContent('body')) ?? '';
        expect(body).toContain('installer');
        expect(body).toContain(role);
        const refused = await screen.page.evaluate(async () => {
          const { cookie } = (globalThis as unknown as { document: { cookie: string } }).document;
          const csrf = /sg_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
          const res = await fetch('/api/devices', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
            body: JSON.stringify({ id: 'sneaky-1', kind: 'shelf' }),
          });
          return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
        });
        expect(refused).toEqual({ status: 403, code: 'SG_FORBIDDEN' });
        expect(await status('/api/devices/sneaky-1')).toBe(404);
        if (role === 'viewer') await screenshot(screen.page, 'installer-denied', 390);
      } finally {
        await screen.close();
      }
    }, 60_000);
  }
});
