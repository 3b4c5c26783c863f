// Shelves: out-of-stock and low-stock lists sorted by urgency, and a per-fixture pick heatmap.
import { ago, el } from './common.js';

const plateName = (p) => `${p.name ?? p.sku} · ${p.fixture ?? p.device}/${p.channel}`;

/**
 * Most urgent first: out of stock before low; among "out" the longest out first; among "low" the smallest
 * share of the low-stock threshold left, then the oldest alarm. `ok` (and unknown) plates are not listed.
 */
export function byUrgency(plates) {
  const out = plates.filter((p) => p.stock_alarm === 'out');
  const low = plates.filter((p) => p.stock_alarm === 'low');
  const since = (p) => p.stock_alarm_since ?? p.stock_updated_at ?? Number.MAX_SAFE_INTEGER;
  out.sort((a, b) => since(a) - since(b));
  const left = (p) => (p.stock ?? 0) / Math.max(1, p.low_stock ?? 1);
  low.sort((a, b) => left(a) - left(b) || since(a) - since(b));
  return { out, low };
}

function stockItem(p, now) {
  const since = p.stock_alarm_since;
  return el(
    'li',
    { class: p.stock_alarm, 'data-plate': `${p.device}/${p.channel}` },
    el('span', { class: 'what', text: plateName(p) }),
    el('span', { class: 'level', text: `${p.stock ?? '?'} / ${p.capacity}` }),
    el('span', { class: 'age muted', text: since ? `for ${ago(since, now).replace(' ago', '')}` : '' }),
  );
}

export function renderStock(outList, lowList, plates, now = Date.now()) {
  const { out, low } = byUrgency(plates);
  const fill = (list, items, none) =>
    list.replaceChildren(
      ...(items.length
        ? items.map((p) => stockItem(p, now))
        : [el('li', { class: 'none muted', text: none })]),
    );
  fill(outList, out, 'Nothing is out of stock.');
  fill(lowList, low, 'Nothing is low.');
}

/** Rows = fixtures (or shelf devices), cells = plates; shade by units picked in the window. */
export function renderHeatmap(root, plates, picks) {
  const count = new Map(picks.map((p) => [`${p.device}#${p.channel}`, p.picks]));
  const max = Math.max(1, ...count.values());
  const fixtures = new Map();
  for (const p of plates) {
    const key = p.fixture ?? p.device;
    if (!fixtures.has(key)) fixtures.set(key, []);
    fixtures.get(key).push(p);
  }
  const rows = [...fixtures.entries()].sort(([a], [b]) => a.localeCompare(b));
  root.replaceChildren(
    ...rows.map(([fixture, list]) =>
      el(
        'div',
        { class: 'heat-row' },
        el('span', { class: 'heat-label', text: fixture }),
        el(
          'div',
          { class: 'heat-cells' },
          ...list
            .sort((a, b) => a.channel - b.channel)
            .map((p) => {
              const n = count.get(`${p.device}#${p.channel}`) ?? 0;
              const cell = el('span', {
                class: 'heat-cell',
                title: `${plateName(p)}: ${n} picked`,
                'data-plate': `${p.device}/${p.channel}`,
                'data-picks': String(n),
              });
              cell.style.setProperty('--heat', String(n / max));
              cell.append(el('b', { text: String(n) }), el('small', { text: p.sku }));
              return cell;
            }),
        ),
      ),
    ),
  );
}
