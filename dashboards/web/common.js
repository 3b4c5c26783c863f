// Shared by every screen: the session (who, CSRF token), API calls, honest freshness, formatting.
export const $ = (id) => document.getElementById(id);
export const text = (v) => (v === null || v === undefined ? '–' : String(v));

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function ago(t, now = Date.now()) {
  if (!t) return 'never';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export const clock = (t) =>
  new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
export const pct = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);

/** Not logged in (session expired): back to the login page, which returns here. */
function toLogin() {
  location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? null;
  }
}

/** Any answer from the gateway, even an error, proves it is reachable; a network failure does not. */
export class Unreachable extends Error {}

async function call(path, init) {
  let res;
  try {
    res = await fetch(path, { cache: 'no-store', credentials: 'same-origin', ...init });
  } catch (err) {
    throw new Unreachable(`gateway unreachable (${err.message})`);
  }
  if (res.status === 401) {
    toLogin();
    throw new ApiError(401, null);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const get = (path) => call(path);

let me = null;
/** Who is logged in: {name, role, csrf}. */
export async function session() {
  me ??= await call('/api/auth/session');
  return me;
}

export async function post(path, body) {
  const { csrf } = await session();
  return call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf ?? '' },
    body: JSON.stringify(body ?? {}),
  });
}

const ORDER = ['viewer', 'attendant', 'installer', 'admin'];
export const roleAllows = (has, needs) => ORDER.indexOf(has) >= ORDER.indexOf(needs);

/** The header's user box: name, role, log out. */
export async function userBox(box) {
  const who = await session();
  // Links to other screens only for the roles that may open them.
  for (const a of document.querySelectorAll('nav a[data-role]'))
    a.hidden = !roleAllows(who.role, a.dataset.role);
  box.replaceChildren(
    el('span', { id: 'who', text: `${who.name} (${who.role})` }),
    el('button', {
      type: 'button',
      id: 'logout',
      text: 'Log out',
      onclick: async () => {
        await post('/api/auth/logout').catch(() => {});
        toLogin();
      },
    }),
  );
  return who;
}

/**
 * Honest freshness: "updated" shows the time of the last successful refresh and never ticks on its own; when
 * the gateway stops answering the page is marked stale (figures greyed) and says since when.
 */
export class Freshness {
  constructor(badge, updated) {
    this.badge = badge;
    this.updated = updated;
    this.lastOk = null;
    this.failingSince = null;
  }

  ok(now = Date.now()) {
    this.lastOk = now;
    this.failingSince = null;
    document.body.classList.remove('stale');
    this.badge.textContent = 'live';
    this.badge.className = 'badge ok';
    this.updated.textContent = `updated ${clock(now)}`;
  }

  failed(err, now = Date.now()) {
    if (!(err instanceof Unreachable)) throw err;
    this.failingSince ??= now;
    document.body.classList.add('stale');
    this.badge.textContent = 'offline';
    this.badge.className = 'badge down';
    this.updated.textContent = this.lastOk
      ? `gateway unreachable since ${clock(this.failingSince)} — figures are from ${clock(this.lastOk)}`
      : 'gateway unreachable — no data yet';
  }

  get stale() {
    return this.failingSince !== null;
  }
}

/** A WebSocket to a same-origin path that reconnects (1 s, then up to 10 s) until `stop()`. */
export function liveSocket(path, { onMessage, onState }) {
  let ws = null;
  let wait = 1000;
  let stopped = false;
  const open = () => {
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
    ws = new WebSocket(url);
    ws.onopen = () => {
      wait = 1000;
      onState?.(true);
    };
    ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
    ws.onclose = () => {
      onState?.(false);
      if (!stopped) setTimeout(open, wait);
      wait = Math.min(10_000, wait * 2);
    };
  };
  open();
  return {
    stop() {
      stopped = true;
      ws?.close();
    },
  };
}
