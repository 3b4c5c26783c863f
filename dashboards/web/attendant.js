// The attendant screen (attendant role): a lane's live state over its WebSocket; on an alert, what was
// scanned and weighed, and clear/override with a reason (POST /api/lanes/:id/attendant).
import {
  $,
  ApiError,
  ago,
  el,
  Freshness,
  get,
  liveSocket,
  post,
  roleAllows,
  Unreachable,
  userBox,
} from './common.js';
import { reasonText, scaleText } from './ops-lanes.js';

const REASONS = [
  "Shopper's own bag",
  'Checked the item by eye',
  'Item replaced with the scanned one',
  'Scale misread',
];

const fresh = new Freshness($('health'), $('updated'));
let lane = new URLSearchParams(location.search).get('lane');
let socket = null;
let state = null;
let reason = null;

function fact(name, value) {
  return [el('dt', { text: name }), el('dd', { 'data-fact': name, text: value })];
}

function renderStatus() {
  if (!state) return;
  $('lane-name').textContent = state.lane;
  const a = state.alert;
  const scanned = state.pending.length
    ? state.pending.map((p) => p.name ?? p.gtin).join(', ') +
      (state.pending_count > state.pending.length ? ' …' : '')
    : 'nothing waiting for the scale';
  const facts = [
    ...fact('Scanned', `${state.scanned} item(s), ${state.verified} verified`),
    ...fact('Waiting to be bagged', scanned),
    ...fact('On the scale', scaleText(state.scale).replace(/^scale /, '')),
  ];
  if (a) {
    facts.unshift(...fact('Item', a.name ? `${a.name} (${a.gtin})` : (a.gtin ?? 'no scanned item')));
    facts.push(...fact('Weight change', `${a.delta_grams > 0 ? '+' : ''}${a.delta_grams} g`));
    if (a.expected_grams !== null)
      facts.push(
        ...fact('Expected', `${Math.round(a.expected_grams)} g ± ${Math.round(a.tolerance_grams)} g`),
      );
  }
  $('status').replaceChildren(
    el(
      'div',
      { class: a ? 'alert-box' : 'calm-box', id: a ? 'alert' : 'calm' },
      el('h2', { text: a ? reasonText(a.reason) : 'No alert' }),
      el('p', {
        text: a ? `raised ${ago(a.raised_at)} · ${state.message}` : `${state.phase} · ${state.message}`,
      }),
      el('dl', { class: 'facts' }, ...facts),
    ),
  );
  $('act').hidden = !a;
}

function renderReasons() {
  $('reasons').replaceChildren(
    ...REASONS.map((r) =>
      el('button', {
        type: 'button',
        'aria-pressed': String(r === reason),
        text: r,
        onclick: () => {
          reason = reason === r ? null : r;
          $('result').textContent = '';
          renderReasons();
        },
      }),
    ),
  );
}

async function act(action) {
  const note = [reason, $('note').value.trim()].filter(Boolean).join(': ');
  if (!note) {
    $('result').textContent = 'Choose or type a reason first.';
    $('result').className = 'result error';
    return;
  }
  try {
    await post(`/api/lanes/${encodeURIComponent(lane)}/attendant`, { action, note });
    $('result').textContent = `${action === 'clear' ? 'Cleared' : 'Overridden'}: ${note}`;
    $('result').className = 'result';
    reason = null;
    $('note').value = '';
    renderReasons();
  } catch (err) {
    $('result').textContent =
      err instanceof ApiError ? err.message : 'The gateway is unreachable: nothing was done.';
    $('result').className = 'result error';
  }
}

function open(id) {
  lane = id;
  history.replaceState(null, '', `?lane=${encodeURIComponent(id)}`);
  for (const b of $('lane-pick').children) b.setAttribute('aria-pressed', String(b.dataset.lane === id));
  socket?.stop();
  state = null;
  $('lane-view').hidden = false;
  socket = liveSocket(`/api/lanes/${encodeURIComponent(id)}/ws`, {
    onMessage: (s) => {
      state = s;
      renderStatus();
      fresh.ok();
    },
    onState: (up) => {
      if (!up) fresh.failed(new Unreachable('the live link to the lane is down'));
    },
  });
}

async function main() {
  const who = await userBox($('user'));
  if (!roleAllows(who.role, 'attendant')) {
    $('status').textContent = `This screen needs the attendant role; ${who.name} is ${who.role}.`;
    return;
  }
  $('clear').addEventListener('click', () => act('clear'));
  $('override').addEventListener('click', () => act('override'));
  renderReasons();
  const { lanes } = await get('/api/lanes');
  $('lane-pick').replaceChildren(
    ...lanes.map((l) =>
      el('button', { type: 'button', 'data-lane': l.lane, text: l.lane, onclick: () => open(l.lane) }),
    ),
  );
  if (lane && lanes.some((l) => l.lane === lane)) open(lane);
  else if (lanes.length === 1) open(lanes[0].lane);
}

main().catch((err) => {
  if (err instanceof Unreachable) fresh.failed(err);
  else $('result').textContent = err.message;
});
