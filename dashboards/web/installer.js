// Storegate installer web: devices, CSV import, guided calibration, planogram facings, catalog import.
// No build step, no dependencies; every operation is a gateway API call on the CLI's code paths.
import { facingDoc, planogramFacings, plateRefs, removeFacing } from './installer-planogram.js';

const $ = (id) => document.getElementById(id);
const ROLES = ['viewer', 'attendant', 'installer', 'admin'];
const SCREENS = ['devices', 'import', 'calibrate', 'planogram', 'catalog'];
let csrf = null;

class ApiError extends Error {
  constructor(status, body) {
    const e = body?.error ?? {};
    super(e.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = e.code ?? 'SG_INTERNAL';
    this.hint = e.hint;
    this.lines = e.lines;
  }
}

async function api(path, { method = 'GET', body, type = 'application/json' } = {}) {
  const headers = {};
  if (method !== 'GET') {
    if (csrf) headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = type;
  }
  const res = await fetch(path, {
    method,
    headers,
    cache: 'no-store',
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  if (res.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.hash)}`;
    throw new ApiError(401, { error: { code: 'SG_UNAUTHENTICATED', message: 'not logged in' } });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const errorText = (err) =>
  err.code ? `[${err.code}] ${err.message}${err.hint ? ` — ${err.hint}` : ''}` : String(err);
function show(id, text) {
  const el = $(id);
  el.textContent = text;
  el.hidden = !text;
}
function cell(tr, value) {
  const td = document.createElement('td');
  if (value instanceof Node) td.append(value);
  else td.textContent = value === null || value === undefined || value === '' ? '–' : String(value);
  tr.append(td);
  return td;
}
const ago = (t) => {
  if (!t) return 'never';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};
const locationText = (loc) =>
  Object.entries(loc ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
function button(label, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

function confirmDialog(text, ok = 'Remove') {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = ok;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

// ---- devices ------------------------------------------------------------------------------------------

async function loadKinds() {
  const { kinds } = await api('/api/device-kinds');
  $('add-kind').replaceChildren(
    ...kinds.map((k) => {
      const o = document.createElement('option');
      o.value = k.kind;
      o.textContent = k.kind;
      o.title = k.note;
      return o;
    }),
  );
}

function parseLabels(text) {
  const labels = {};
  for (const pair of text.split(';').filter((p) => p.trim())) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new ApiError(400, {
        error: { code: 'SG_BAD_ARGUMENT', message: `label "${pair}" is not key=value` },
      });
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

function showCredentials(c) {
  const p = JSON.parse(c.qr_payload);
  $('cred-id').textContent = c.device.id;
  $('cred-broker').textContent = [p.broker, p.tls, p.ws].filter(Boolean).join('  ·  ');
  $('cred-user').textContent = c.mqtt.username;
  $('cred-secret').textContent = c.secret;
  $('cred-topics').textContent = c.mqtt.publish_topics.join(', ');
  $('qr').src = c.qr_png;
  $('qr').dataset.payload = c.qr_payload;
  $('credentials').hidden = false;
}

async function addDevice(event) {
  event.preventDefault();
  show('add-error', '');
  const form = new FormData($('add-form'));
  const location = {};
  for (const key of ['zone', 'aisle', 'fixture', 'shelf', 'lane', 'door']) {
    const v = String(form.get(key) ?? '').trim();
    if (v) location[key] = v;
  }
  try {
    const body = { id: String(form.get('id')).trim(), kind: form.get('kind'), location };
    const labels = parseLabels(String(form.get('labels') ?? ''));
    if (Object.keys(labels).length > 0) body.labels = labels;
    showCredentials(await api('/api/devices', { method: 'POST', body }));
    $('add-form').reset();
    await loadDevices();
  } catch (err) {
    show('add-error', errorText(err));
  }
}

async function removeDevice(id) {
  if (
    !(await confirmDialog(
      `Remove device ${id}? Its credentials stop working at once; it can no longer connect.`,
    ))
  )
    return;
  try {
    await api(`/api/devices/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } catch (err) {
    show('add-error', errorText(err));
  }
  await loadDevices();
}

async function loadDevices() {
  const { devices } = await api('/api/devices');
  const body = $('device-list').querySelector('tbody');
  body.replaceChildren(
    ...devices.map((d) => {
      const tr = document.createElement('tr');
      tr.dataset.id = d.id;
      cell(tr, d.id);
      cell(tr, d.kind);
      cell(tr, locationText(d.location));
      cell(tr, d.registered ? d.state : `${d.state} (not registered)`).className = d.online
        ? 'online'
        : 'offline';
      cell(tr, ago(d.last_seen));
      cell(tr, d.registered ? button('Remove', 'danger small', () => removeDevice(d.id)) : '');
      return tr;
    }),
  );
  $('device-count').textContent = `(${devices.length})`;
}

// ---- CSV import ---------------------------------------------------------------------------------------

async function importCsv() {
  $('import-errors').hidden = true;
  $('import-result').hidden = true;
  try {
    const out = await api('/api/devices/import', { method: 'POST', body: $('csv').value, type: 'text/csv' });
    $('import-done').textContent = `${out.imported} device(s) registered.`;
    const body = $('import-table').querySelector('tbody');
    body.replaceChildren(
      ...out.devices.map((d) => {
        const tr = document.createElement('tr');
        cell(tr, d.device.id);
        cell(tr, d.device.kind);
        const code = document.createElement('code');
        code.textContent = d.secret;
        cell(tr, code);
        const img = document.createElement('img');
        img.src = d.qr_png;
        img.alt = `QR code for ${d.device.id}`;
        img.width = 96;
        cell(tr, img);
        return tr;
      }),
    );
    $('import-result').hidden = false;
  } catch (err) {
    $('import-summary').textContent = errorText(err);
    $('import-lines').replaceChildren(
      ...(err.lines ?? []).map((l) => {
        const li = document.createElement('li');
        li.textContent = `line ${l.line}: ${l.message}`;
        return li;
      }),
    );
    $('import-errors').hidden = false;
  }
}

async function readFileInto(input, target) {
  const file = input.files?.[0];
  if (file) $(target).value = await file.text();
}

// ---- calibration --------------------------------------------------------------------------------------

let live = null;
let session = null;
const spark = [];

function startLive() {
  live?.close();
  spark.length = 0;
  const [device, channel] = ($('cal-plate').value || '').split('#');
  if (!device) return;
  $('live-value').textContent = '–';
  $('live-state').textContent = 'connecting…';
  live = new EventSource(`/api/shelves/${encodeURIComponent(device)}/${channel}/live`);
  live.onmessage = (e) => {
    const r = JSON.parse(e.data);
    if (r.n === 0) {
      $('live-state').textContent = 'no readings';
      $('live-state').className = 'offline';
      return;
    }
    $('live-value').textContent = r.mean.toFixed(1);
    $('live-state').textContent = `live · ${r.n} samples · ±${((r.max - r.min) / 2).toFixed(1)}`;
    $('live-state').className = 'online';
    spark.push(r.mean);
    if (spark.length > 60) spark.shift();
    const lo = Math.min(...spark);
    const hi = Math.max(...spark);
    const points = spark.map((v, i) => `${(i / 59) * 200},${38 - ((v - lo) / (hi - lo || 1)) * 36}`);
    $('live-spark').querySelector('polyline').setAttribute('points', points.join(' '));
  };
  live.onerror = () => {
    $('live-state').textContent = 'not live (reconnecting)';
    $('live-state').className = 'offline';
  };
}

function renderSession(s) {
  session = s;
  $('cal-panel').hidden = false;
  $('cal-log').replaceChildren(
    ...s.messages.map((m) => {
      const li = document.createElement('li');
      li.textContent = m;
      return li;
    }),
  );
  const asking = s.state === 'asking';
  $('cal-form').hidden = !asking;
  $('cal-busy').hidden = s.state !== 'running';
  $('cal-question').textContent = s.question ?? '';
  if (asking) $('cal-answer').focus();
  $('cal-result').hidden = s.state !== 'saved';
  if (s.state === 'saved') {
    const c = s.calibration;
    $('cal-result').textContent =
      `Saved: zero ${c.zero_grams.toFixed(1)}, scale ${c.scale.toFixed(5)}, noise floor ${c.noise_grams.toFixed(2)} g.`;
  }
  if (s.state === 'failed') show('cal-error', errorText(s.error));
  if (s.state === 'cancelled') show('cal-error', 'Calibration cancelled; nothing was saved.');
  $('cal-start').disabled = asking || s.state === 'running';
}

async function pollSession() {
  while (session && (session.state === 'running' || session.state === 'asking')) {
    if (session.state === 'running') {
      await new Promise((r) => setTimeout(r, 300));
      try {
        renderSession(await api(`/api/calibration-sessions/${session.id}`));
      } catch (err) {
        show('cal-error', errorText(err));
        return;
      }
    } else return;
  }
}

async function startCalibration() {
  show('cal-error', '');
  const [device, channel] = ($('cal-plate').value || '').split('#');
  if (!device) return show('cal-error', 'Choose a plate first.');
  $('cal-start').disabled = true;
  $('cal-log').replaceChildren();
  $('cal-result').hidden = true;
  try {
    renderSession(
      await api('/api/calibration-sessions', { method: 'POST', body: { device, channel: Number(channel) } }),
    );
    pollSession();
  } catch (err) {
    $('cal-start').disabled = false;
    $('cal-panel').hidden = true;
    show('cal-error', errorText(err));
  }
}

async function answerCalibration(event) {
  event.preventDefault();
  const answer = $('cal-answer').value;
  $('cal-answer').value = '';
  try {
    renderSession(
      await api(`/api/calibration-sessions/${session.id}/answer`, { method: 'POST', body: { answer } }),
    );
    pollSession();
  } catch (err) {
    show('cal-error', errorText(err));
  }
}

async function cancelCalibration() {
  if (session) renderSession(await api(`/api/calibration-sessions/${session.id}/cancel`, { method: 'POST' }));
}

async function loadPlates() {
  const { plates } = await api('/api/shelves');
  const select = $('cal-plate');
  const before = select.value;
  select.replaceChildren(
    ...plates.map((p) => {
      const o = document.createElement('option');
      o.value = `${p.device}#${p.channel}`;
      o.textContent = `${p.device} ch ${p.channel} · ${p.sku}`;
      return o;
    }),
  );
  if (before && [...select.options].some((o) => o.value === before)) select.value = before;
  if (select.value !== before || !live) startLive();
}

// ---- planogram ----------------------------------------------------------------------------------------

let planogram = null;
let editing = null;

async function loadPlanogram() {
  planogram = await api('/api/planogram');
  $('plano-version').textContent =
    `version ${planogram.version}${planogram.changed_by ? ` · by ${planogram.changed_by}` : ''}`;
  const body = $('facings').querySelector('tbody');
  body.replaceChildren(
    ...planogramFacings(planogram).map((f) => {
      const tr = document.createElement('tr');
      tr.dataset.facing = f.id;
      cell(tr, f.id);
      cell(tr, f.name ? `${f.sku} (${f.name})` : f.sku);
      cell(tr, f.unit_grams);
      cell(tr, f.capacity);
      cell(tr, plateRefs(f).join(', '));
      cell(
        tr,
        button('Edit', 'small', () => editFacing(f)),
      );
      return tr;
    }),
  );
}

function plateBox(ref, checked) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.value = `${ref.device}#${ref.channel}`;
  box.checked = checked;
  label.append(box, ` ${ref.device} ch ${ref.channel}`);
  return label;
}

function editFacing(f) {
  editing = f;
  show('facing-error', '');
  $('facing-title').textContent = f ? `Edit facing ${f.id}` : 'New facing';
  $('f-id').value = f?.id ?? '';
  $('f-sku').value = f?.sku ?? '';
  $('f-name').value = f?.name ?? '';
  $('f-unit').value = f?.unit_grams ?? '';
  $('f-tol').value = f?.tolerance_grams ?? '';
  $('f-capacity').value = f?.capacity ?? '';
  $('f-low').value = f?.low_stock ?? '';
  const mine = new Set(f ? plateRefs(f) : []);
  const all = planogramFacings(planogram).flatMap((x) => x.plates);
  all.sort((a, b) => (a.device === b.device ? a.channel - b.channel : a.device < b.device ? -1 : 1));
  $('f-plates').replaceChildren(...all.map((p) => plateBox(p, mine.has(`${p.device}#${p.channel}`))));
  $('facing-delete').hidden = !f;
  $('facing-form').hidden = false;
  $('f-sku').focus();
}

function addPlate() {
  const device = $('f-add-device').value.trim();
  const channel = Number($('f-add-channel').value);
  if (!device || !Number.isInteger(channel) || channel < 0 || channel > 63)
    return show('facing-error', 'Give a device id and a channel 0–63.');
  const key = `${device}#${channel}`;
  const existing = [...$('f-plates').querySelectorAll('input')].find((b) => b.value === key);
  if (existing) existing.checked = true;
  else $('f-plates').append(plateBox({ device, channel }, true));
  $('f-add-device').value = '';
  $('f-add-channel').value = '';
}

async function saveFacing(event) {
  event.preventDefault();
  show('facing-error', '');
  const num = (id) => ($(id).value === '' ? undefined : Number($(id).value));
  const plates = [...$('f-plates').querySelectorAll('input:checked')].map((b) => {
    const [device, channel] = b.value.split('#');
    return { device, channel: Number(channel) };
  });
  const facing = {
    id: $('f-id').value.trim() || undefined,
    sku: $('f-sku').value.trim(),
    name: $('f-name').value.trim() || undefined,
    unit_grams: num('f-unit'),
    tolerance_grams: num('f-tol'),
    capacity: num('f-capacity'),
    low_stock: num('f-low'),
    plates,
  };
  try {
    const doc = facingDoc(planogram, editing?.id ?? null, facing);
    const out = await api('/api/planogram', { method: 'PUT', body: doc });
    $('facing-form').hidden = true;
    show('plano-msg', `Saved: planogram version ${out.version}.`);
    await loadPlanogram();
    await loadPlates();
  } catch (err) {
    show('facing-error', errorText(err));
  }
}

async function deleteFacing() {
  if (!editing) return;
  if (
    !(await confirmDialog(
      `Remove facing ${editing.id} (${plateRefs(editing).join(', ')}) from the planogram?`,
    ))
  )
    return;
  try {
    const out = await api('/api/planogram', { method: 'PUT', body: removeFacing(planogram, editing.id) });
    $('facing-form').hidden = true;
    show('plano-msg', `Removed: planogram version ${out.version}.`);
    await loadPlanogram();
  } catch (err) {
    show('facing-error', errorText(err));
  }
}

// ---- catalog ------------------------------------------------------------------------------------------

async function loadCatalog() {
  const c = await api('/api/checkout/catalog');
  $('catalog-version').textContent =
    c.version === null ? 'none yet' : `version ${c.version}, ${c.items} item(s), from ${c.source}`;
}

async function importCatalog() {
  show('catalog-error', '');
  show('catalog-result', '');
  let doc;
  try {
    doc = JSON.parse($('catalog-json').value);
  } catch (err) {
    return show('catalog-error', `Not JSON: ${err.message}. The current catalog is kept.`);
  }
  try {
    const r = await api('/api/checkout/catalog', { method: 'POST', body: doc });
    show('catalog-result', r.message);
    await loadCatalog();
  } catch (err) {
    show('catalog-error', errorText(err));
  }
}

// ---- screens ------------------------------------------------------------------------------------------

const loaders = {
  devices: loadDevices,
  import: async () => {},
  calibrate: loadPlates,
  planogram: loadPlanogram,
  catalog: loadCatalog,
};

function route() {
  const name = SCREENS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'devices';
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  for (const a of $('tabs').querySelectorAll('a')) a.classList.toggle('active', a.dataset.screen === name);
  if (name !== 'calibrate') {
    live?.close();
    live = null;
  }
  loaders[name]().catch((err) => show(name === 'calibrate' ? 'cal-error' : 'add-error', errorText(err)));
}

async function boot() {
  const me = await api('/api/auth/session');
  csrf = me.csrf;
  $('who').textContent = `${me.name} · ${me.role}`;
  if (ROLES.indexOf(me.role) < ROLES.indexOf('installer')) {
    $('tabs').hidden = true;
    show('denied-text', `The installer screens need the installer role; ${me.name} is ${me.role}.`);
    $('denied').hidden = false;
    return;
  }
  $('add-form').addEventListener('submit', addDevice);
  $('csv-file').addEventListener('change', () => readFileInto($('csv-file'), 'csv'));
  $('import-submit').addEventListener('click', importCsv);
  $('cal-plate').addEventListener('change', startLive);
  $('cal-start').addEventListener('click', startCalibration);
  $('cal-form').addEventListener('submit', answerCalibration);
  $('cal-cancel').addEventListener('click', cancelCalibration);
  $('facing-new').addEventListener('click', () => editFacing(null));
  $('facing-form').addEventListener('submit', saveFacing);
  $('facing-delete').addEventListener('click', deleteFacing);
  $('facing-close').addEventListener('click', () => ($('facing-form').hidden = true));
  $('f-add-plate').addEventListener('click', addPlate);
  $('catalog-file').addEventListener('change', () => readFileInto($('catalog-file'), 'catalog-json'));
  $('catalog-submit').addEventListener('click', importCatalog);
  window.addEventListener('hashchange', route);
  await loadKinds();
  route();
}

$('logout').addEventListener('click', async () => {
  await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
  location.href = '/login?next=/dashboard/installer.html';
});
boot().catch((err) => {
  show('denied-text', errorText(err));
  $('denied').hidden = false;
});
