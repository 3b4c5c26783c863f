// Storegate dashboard: polls the gateway's HTTP API; no build step, no dependencies.
const $ = (id) => document.getElementById(id);
const text = (v) => (v === null || v === undefined ? '–' : String(v));
const ago = (t) => {
  if (!t) return 'never';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};

async function get(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

function rows(tableId, items, cells) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren(
    ...items.map((item) => {
      const tr = document.createElement('tr');
      for (const [value, cls] of cells(item)) {
        const td = document.createElement('td');
        td.textContent = text(value);
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function chart(buckets) {
  const svg = $('chart');
  const max = Math.max(1, ...buckets.flatMap((b) => [b.in, b.out]));
  const w = 800 / Math.max(1, buckets.length);
  const bars = [];
  buckets.forEach((b, i) => {
    for (const [key, offset] of [
      ['in', 0.1],
      ['out', 0.5],
    ]) {
      const h = (b[key] / max) * 150;
      bars.push(
        `<rect class="${key}" x="${i * w + offset * w}" y="${160 - h}" width="${w * 0.4}" height="${h}"><title>${new Date(b.t).toLocaleTimeString()}: ${b[key]} ${key}</title></rect>`,
      );
    }
  });
  svg.innerHTML = bars.join('');
}

async function refresh() {
  const jobs = {
    health: get('/healthz').catch(() => ({ status: 'down' })),
    occupancy: get('/api/occupancy').catch(() => null),
    footfall: get('/api/footfall?step=15m').catch(() => null),
    lanes: get('/api/lanes').catch(() => ({ lanes: [] })),
    shelves: get('/api/shelves').catch(() => ({ plates: [] })),
    devices: get('/api/devices').catch(() => ({ devices: [] })),
  };
  const r = Object.fromEntries(await Promise.all(Object.entries(jobs).map(async ([k, p]) => [k, await p])));
  $('store').textContent = r.health.store ?? '';
  $('health').textContent = r.health.status;
  $('health').className = `badge ${r.health.status}`;
  if (r.occupancy) {
    $('occupancy').textContent = text(r.occupancy.occupancy);
    $('entries').textContent = text(r.occupancy.in);
    $('exits').textContent = text(r.occupancy.out);
    $('conversion').textContent =
      r.occupancy.conversion == null ? '–' : `${Math.round(r.occupancy.conversion * 100)}%`;
  }
  if (r.footfall) chart(r.footfall.buckets);
  rows('lanes', r.lanes.lanes, (l) => [
    [l.lane],
    [l.phase],
    [`${l.verified}/${l.scanned}`],
    [l.alert ? `${l.alert.reason}: ${l.message}` : l.message, l.alert ? 'alert' : ''],
  ]);
  rows('shelves', r.shelves.plates, (p) => [
    [`${p.device}/${p.channel}`],
    [p.sku],
    [
      `${text(p.stock)} / ${p.capacity}${p.stock_alarm ? ` (${p.stock_alarm})` : ''}`,
      p.stock_alarm ? 'alert' : '',
    ],
    [p.sensor],
  ]);
  rows('devices', r.devices.devices, (d) => [
    [d.id],
    [d.kind],
    [d.online ? 'online' : 'offline', d.online ? 'online' : 'offline'],
    [ago(d.last_seen)],
    [d.accepted],
    [Object.values(d.rejected ?? {}).reduce((a, b) => a + b, 0)],
  ]);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

refresh();
setInterval(refresh, 5000);
