import type { StoreEvent } from '../../core/events.js';
import { fitOf } from './classify.js';
import type { PlateState } from './plate-state.js';
import { round1 } from './plate-state.js';
import type { Resolution } from './resolver.js';
import { shelfEvent } from './shelf-event.js';
import type { StockTransition } from './stock.js';

/** Alarm transitions → `shelf.stock.low` / `shelf.stock.out` / `shelf.stock.ok` (cleared). */
export function stockEvents(plate: PlateState, transition: StockTransition | null, t: number): StoreEvent[] {
  if (!transition) return [];
  if (transition.to === 'ok' && transition.from === null) return [];
  const type =
    transition.to === 'out'
      ? 'shelf.stock.out'
      : transition.to === 'low'
        ? 'shelf.stock.low'
        : 'shelf.stock.ok';
  return [
    shelfEvent(type, t, plate.spec, {
      sku: plate.spec.sku,
      stock: plate.stock.count,
      capacity: plate.spec.capacity,
      low_stock: plate.spec.lowStock,
      previous: transition.from,
    }),
  ];
}

function restock(plate: PlateState, t: number): StoreEvent[] {
  return stockEvents(plate, plate.stock.setFromGrams(plate.netGrams(plate.level), t), t);
}

/** Turn a cross-plate resolution into events, and correct the plates' counts for what now lies on them. */
export function applyResolution(r: Resolution, plates: Map<string, PlateState>, t: number): StoreEvent[] {
  switch (r.kind) {
    case 'spanning': {
      const home = plates.get(r.home.key)!;
      const other = plates.get(r.other.key)!;
      // The whole item counts on its home plate; the neighbour's count must not move.
      home.adjustGrams += r.other.delta;
      other.adjustGrams -= r.other.delta;
      const ev = shelfEvent(r.qty < 0 ? 'shelf.pick' : 'shelf.put', r.home.tStart, home.spec, {
        sku: home.spec.sku,
        qty: Math.abs(r.qty),
        delta_grams: round1(r.home.delta + r.other.delta),
        confidence: r.confidence,
        ...(r.confidence < 0.9 ? { ambiguous: true as const, candidates: r.candidates } : {}),
        spans: [
          { device: home.spec.device, channel: home.spec.channel, delta_grams: round1(r.home.delta) },
          { device: other.spec.device, channel: other.spec.channel, delta_grams: round1(r.other.delta) },
        ],
        settled_at: Math.round(Math.max(r.home.tSettled, r.other.tSettled)),
      });
      const events = [ev, ...restock(home, t), ...restock(other, t)];
      ev.data.stock = home.stock.count;
      return events;
    }
    case 'misplaced': {
      const plate = plates.get(r.change.key)!;
      plate.adjustGrams -= r.change.delta;
      plate.foreign.push({ sku: r.item.sku, unitGrams: r.item.unitGrams, qty: r.qty, home: r.item });
      return [
        shelfEvent('shelf.misplaced', r.change.tStart, plate.spec, {
          sku: r.item.sku,
          qty: r.qty,
          delta_grams: round1(r.change.delta),
          plate_sku: plate.spec.sku,
          home_device: r.item.device,
          home_channel: r.item.channel,
          confidence: r.candidates[0]?.confidence ?? 0,
          candidates: r.candidates,
        }),
        ...restock(plate, t),
      ];
    }
    case 'foreign-pick': {
      const plate = plates.get(r.change.key)!;
      plate.adjustGrams -= r.change.delta;
      r.item.qty -= r.qty;
      plate.foreign = plate.foreign.filter((f) => f.qty > 0);
      return [
        shelfEvent('shelf.pick', r.change.tStart, plate.spec, {
          sku: r.item.sku,
          qty: r.qty,
          delta_grams: round1(r.change.delta),
          confidence: 0.9,
          misplaced_item: true as const,
          home_device: r.item.home.device,
          home_channel: r.item.home.channel,
        }),
        ...restock(plate, t),
      ];
    }
    case 'ambiguous': {
      const plate = plates.get(r.change.key)!;
      const top = r.candidates[0];
      const base = { delta_grams: round1(r.change.delta), ambiguous: true as const, candidates: r.candidates };
      const unit = top
        ? (plates.get(`${top.device}#${top.channel}`)?.spec.unitGrams ?? plate.spec.unitGrams)
        : 1;
      const ev = top
        ? shelfEvent(r.change.delta < 0 ? 'shelf.pick' : 'shelf.put', r.change.tStart, plate.spec, {
            sku: top.sku,
            qty: top.qty,
            // Relative share × absolute fit: "1 or 2 cans, and neither fits well" must read as low confidence.
            confidence: Math.round(top.confidence * fitOf(top, unit) * 1000) / 1000,
            ...base,
          })
        : shelfEvent('shelf.change', r.change.tStart, plate.spec, { sku: null, confidence: 0, ...base });
      const events = [ev, ...restock(plate, t)];
      ev.data.stock = plate.stock.count;
      return events;
    }
  }
}
