import { afterEach, describe, expect, it } from 'vitest';
import type { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import { type ShelfGateway, startShelfGateway } from './shelf-gateway.js';
import { PlateScript } from './trace-script.js';

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface OutboxItem {
  type: string;
  stream: string;
  class: string;
  data: { sku?: string; qty?: number };
}

interface ShelvesBody {
  planogram_version: number;
  plates: { device: string; channel: number; sku: string; stock: number | null; sensor: string }[];
}

/**
 * End to end: a shelf simulator (scripted 60 Hz load-cell batches) publishes over MQTT to the embedded broker
 * of a real gateway; pick/put events land in the SQLite outbox and stock shows at GET /api/shelves.
 */
describe('shelves end to end (MQTT → gateway → outbox and /api/shelves)', () => {
  let sg: ShelfGateway | undefined;
  afterEach(async () => {
    await sg?.close();
    sg = undefined;
  });

  it('a pick and a put published by a shelf device become must-deliver events and stock', async () => {
    sg = await startShelfGateway();
    const client = await sg.device('shelf-a3');
    const t0 = Date.now() - 20_000;
    const cola = new PlateScript(3520, 1, 51).hold(3000).step(-704, 200).hold(5000);
    const chips = new PlateScript(2500, 1, 52).hold(4000).step(250, 200).hold(4000);
    const batches = [...cola.readings('shelf-a3', 0, t0), ...chips.readings('shelf-a3', 1, t0)].sort(
      (a, b) => a.receivedAt - b.receivedAt,
    );
    for (const b of batches) {
      if (b.type !== 'shelf.weight') continue;
      const payload = { t: b.receivedAt, channel: b.channel, hz: 60, grams: b.grams };
      await client.publishAsync('devices/shelf-a3/shelf', JSON.stringify(payload), { qos: 1 });
    }
    // A malformed shelf payload is rejected and counted, never a crash.
    await client.publishAsync('devices/shelf-a3/shelf', JSON.stringify({ channel: 0, grams: 'x' }), {
      qos: 1,
    });

    const state = await waitFor(async () => {
      const body = (await (await sg!.fetch(`${sg!.base}/api/shelves`)).json()) as ShelvesBody;
      return body.plates.every((p) => p.stock !== null) ? body : undefined;
    });
    expect(state.plates.map((p) => [p.channel, p.sku, p.stock])).toEqual([
      [0, 'cola-330', 8],
      [1, 'chips-250', 11],
    ]);

    const outbox = sg.gw.context.events as Outbox;
    const items = await waitFor(() => {
      const rows = outbox.next(1000, 10_000_000).map((r) => JSON.parse(r.item) as OutboxItem);
      outbox.rewind();
      return rows.some((r) => r.type === 'shelf.put') ? rows : undefined;
    });
    const shelf = items.filter((r) => r.type === 'shelf.pick' || r.type === 'shelf.put');
    expect(shelf.map((r) => [r.type, r.stream, r.class, r.data.sku, r.data.qty])).toEqual([
      ['shelf.pick', 'shelf/shelf-a3', 'must_deliver', 'cola-330', 2],
      ['shelf.put', 'shelf/shelf-a3', 'must_deliver', 'chips-250', 1],
    ]);
    expect(sg.gw.context.deviceStats.get('shelf-a3')?.rejected).toMatchObject({ schema: 1 });
    const metrics = await (await fetch(`${sg.base}/metrics`)).text();
    expect(metrics).toMatch(/storegate_shelf_events_total\{type="shelf.pick"\} 1/);
    expect(metrics).toMatch(/storegate_shelf_stock_units\{device="shelf-a3",channel="0",sku="cola-330"\} 8/);
  });
});
