import type { Browser } from 'playwright-core';
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
import { laneState, raiseMismatch } from './lane-driver.js';

interface AuditEntry {
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
}

const PATH = `/dashboard/attendant.html?lane=${TEST_LANE.id}`;

describe('attendant screen in Chromium against the running demo', () => {
  let demo: DemoGateway;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await closeDemo(demo);
  });

  for (const width of WIDTHS) {
    it(`at ${width} px: shows the alert with what was scanned and weighed, and clears it with a reason`, async () => {
      const s = await loginAs(browser, demo, 'attendant', PATH, width);
      try {
        await until('the lane shown', async () => (await s.page.textContent('#lane-name')) === TEST_LANE.id);
        const alerted = await raiseMismatch(demo);
        await until('the alert on screen', async () => s.page.isVisible('#alert'));
        const box = (await s.page.textContent('#alert')) ?? '';
        expect(box).toContain('Weight does not match');
        expect(box).toContain(alerted.alert!.name ?? alerted.alert!.gtin!);
        expect(await s.page.textContent('[data-fact="Weight change"]')).toBe(
          `+${alerted.alert!.delta_grams} g`,
        );
        expect(await s.page.textContent('[data-fact="Expected"]')).toMatch(/^352 g ± \d+ g$/);
        expect(await s.page.textContent('[data-fact="On the scale"]')).toContain(`${alerted.scale.grams} g`);

        // Touch targets: the action buttons are big enough for a finger (≥ 48 px high, ≥ 44 px wide).
        for (const id of ['#clear', '#override']) {
          const b = await s.page.locator(id).boundingBox();
          expect(b!.height).toBeGreaterThanOrEqual(48);
          expect(b!.width).toBeGreaterThanOrEqual(44);
        }
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        await screenshot(s.page, 'attendant-alert', width);

        // No reason: nothing is sent.
        await s.page.click('#clear');
        expect(await s.page.textContent('#result')).toContain('reason');
        expect((await laneState(demo)).alert).not.toBeNull();

        await s.page.click('#reasons button:has-text("Checked the item by eye")');
        await s.page.fill('#note', `at ${width}px`);
        await s.page.click('#override');
        // The lane's WebSocket may show the cleared state before the POST answers: wait for both.
        await until('the answer shown', async () =>
          ((await s.page.textContent('#result')) ?? '').startsWith('Overridden'),
        );
        expect(await s.page.textContent('#result')).toBe(
          `Overridden: Checked the item by eye: at ${width}px`,
        );
        await until('the alert gone from the screen', async () => s.page.isVisible('#calm'));
        expect((await laneState(demo)).alert).toBeNull();
        // Recorded as the logged-in attendant (never a field of the request).
        const { entries } = await demo.api<{ entries: AuditEntry[] }>('/api/audit?action=http.post&limit=50');
        const mine = entries.find(
          (e) => e.target === `/api/lanes/${TEST_LANE.id}/attendant` && e.outcome === 'ok',
        );
        expect(mine?.actor).toBe('user:alex-attendant');
        await screenshot(s.page, 'attendant', width);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    }, 120_000);
  }

  for (const width of WIDTHS) {
    it(`at ${width} px: a viewer is told the attendant screen needs the attendant role`, async () => {
      const s = await loginAs(browser, demo, 'viewer', '/dashboard/', width);
      try {
        const res = await s.page.goto(`${demo.base}${PATH}`);
        expect(res?.status()).toBe(403);
        const text = (await s.page.textContent('#denied')) ?? '';
        expect(text).toContain('needs the attendant role');
        expect(text).toContain('vera-viewer');
        expect(text).toContain('viewer role');
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        await screenshot(s.page, 'attendant-denied', width);
        // And the API refuses the action itself, whatever a page would do.
        const status = await s.page.evaluate(
          `fetch('/api/lanes/${TEST_LANE.id}/attendant', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': /sg_csrf=([^;]+)/.exec(document.cookie)[1] }, body: '{"action":"clear"}' }).then((r) => r.status)`,
        );
        expect(status).toBe(403);
        // "Log in as someone else" leads back to this screen as an attendant.
        await s.page.click('#switch');
        await s.page.waitForURL(/\/login\?next=/);
      } finally {
        await s.close();
      }
    }, 60_000);
  }

  // Last: it stops the demo.
  it('when the gateway stops, the lane view turns stale', async () => {
    const s = await loginAs(browser, demo, 'attendant', PATH, 800);
    try {
      await until('live', async () => (await s.page.textContent('#health')) === 'live');
      await demo.stop();
      await until('offline', async () => (await s.page.textContent('#health')) === 'offline');
      expect(await s.page.textContent('#updated')).toMatch(/gateway unreachable since/);
      expect(await s.page.evaluate("document.body.classList.contains('stale')")).toBe(true);
    } finally {
      await s.close();
    }
  }, 60_000);
});
