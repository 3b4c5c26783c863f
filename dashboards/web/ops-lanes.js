// Checkout lanes as live tiles: one WebSocket per lane (current state, then every change).
import { ago, el, liveSocket } from './common.js';

const REASONS = {
  unexpected_item: 'Unexpected item in the bagging area',
  item_not_bagged: 'Item not bagged',
  weight_mismatch: 'Weight does not match',
  item_removed: 'Item removed',
};

export const reasonText = (r) => REASONS[r] ?? r;

export function scaleText(scale) {
  if (!scale || scale.grams === null || scale.grams === undefined) return 'scale: no reading';
  return `scale ${scale.grams} g${scale.status ? ` (${scale.status})` : ''}`;
}

function tile(state, connected) {
  const alert = state.alert;
  return el(
    'article',
    {
      class: `tile${alert ? ' alert' : ''}${connected ? '' : ' stale'}`,
      'data-lane': state.lane,
      'data-scanned': String(state.scanned),
    },
    el('h3', { text: state.lane }),
    el('p', { class: 'phase', text: `${state.phase}${state.maintenance ? ' · maintenance' : ''}` }),
    el('p', { class: 'message', text: state.message }),
    el('p', { class: 'items', text: `${state.verified}/${state.scanned} items verified` }),
    el('p', { class: 'scale', text: scaleText(state.scale) }),
    alert
      ? el('p', {
          class: 'reason',
          text: `${reasonText(alert.reason)}${alert.name ? ` — ${alert.name}` : ''} · ${ago(alert.raised_at)}`,
        })
      : null,
    connected ? null : el('p', { class: 'muted', text: 'live link lost — reconnecting' }),
  );
}

export class Lanes {
  constructor(root) {
    this.root = root;
    this.lanes = new Map(); // id → {state, connected, socket}
  }

  /** Lanes listed by GET /api/lanes: open a socket for each new one (the list is the fallback state). */
  update(list) {
    for (const s of list) {
      if (this.lanes.has(s.lane)) continue;
      const entry = { state: s, connected: false, socket: null };
      entry.socket = liveSocket(`/api/lanes/${encodeURIComponent(s.lane)}/ws`, {
        onMessage: (state) => {
          entry.state = state;
          this.render();
        },
        onState: (up) => {
          entry.connected = up;
          this.render();
        },
      });
      this.lanes.set(s.lane, entry);
    }
    this.render();
  }

  states() {
    return [...this.lanes.values()].map((e) => e.state);
  }

  render() {
    if (this.lanes.size === 0) {
      this.root.replaceChildren(el('p', { class: 'muted', text: 'No checkout lanes configured.' }));
      return;
    }
    const sorted = [...this.lanes.values()].sort((a, b) => a.state.lane.localeCompare(b.state.lane));
    this.root.replaceChildren(...sorted.map((e) => tile(e.state, e.connected)));
  }
}
