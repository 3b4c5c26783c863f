// Device list and the detail of the selected device (connected, last seen, firmware, rejections, battery/RSSI).
import { ago, el, text } from './common.js';

const total = (rejected) => Object.values(rejected ?? {}).reduce((a, b) => a + b, 0);

/** The gateway's health state as it reports it (offline at once when a session closes: issue 15 item 4). */
const stateOf = (d) => d.state ?? (d.online ? 'online' : 'offline');

export class Devices {
  constructor(table, detail) {
    this.body = table.querySelector('tbody');
    this.detail = detail;
    this.selected = null;
    this.devices = [];
  }

  update(devices, now = Date.now()) {
    this.devices = devices;
    this.body.replaceChildren(
      ...devices.map((d) => {
        const state = stateOf(d);
        const row = el(
          'tr',
          {
            'data-device': d.id,
            class: d.id === this.selected ? 'selected' : '',
            tabindex: '0',
            onclick: () => this.select(d.id),
            onkeydown: (ev) => ev.key === 'Enter' && this.select(d.id),
          },
          el('td', { text: d.id }),
          el('td', { text: text(d.kind) }),
          el('td', { class: `state ${state}`, text: state }),
          el('td', { text: ago(d.last_seen, now) }),
          el('td', { class: total(d.rejected) ? 'warn' : '', text: String(total(d.rejected)) }),
        );
        return row;
      }),
    );
    this.renderDetail(now);
  }

  select(id) {
    this.selected = this.selected === id ? null : id;
    for (const row of this.body.children)
      row.classList.toggle('selected', row.dataset.device === this.selected);
    this.renderDetail();
  }

  renderDetail(now = Date.now()) {
    const d = this.devices.find((x) => x.id === this.selected);
    this.detail.hidden = !d;
    if (!d) return;
    const reasons = Object.entries(d.rejected ?? {});
    const where = Object.entries(d.location ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const field = (name, value) => [el('dt', { text: name }), el('dd', { 'data-field': name, text: value })];
    this.detail.replaceChildren(
      el('h3', { text: `${d.id} (${text(d.kind)})` }),
      el(
        'dl',
        {},
        ...field('state', stateOf(d)),
        ...field('connected', d.connected ? 'yes' : 'no'),
        ...field(
          'last seen',
          d.last_seen ? `${ago(d.last_seen, now)} (${new Date(d.last_seen).toLocaleString()})` : 'never',
        ),
        ...field('firmware', text(d.firmware)),
        ...field('battery', d.battery_pct === null ? '–' : `${d.battery_pct}%`),
        ...field('RSSI', d.rssi_dbm === null ? '–' : `${d.rssi_dbm} dBm`),
        ...field('uptime', d.uptime_s === null ? '–' : `${d.uptime_s} s`),
        ...field('accepted', String(d.accepted)),
        ...field('location', where || '–'),
      ),
      el('h4', { text: 'Rejections by reason' }),
      reasons.length
        ? el('ul', { class: 'reasons' }, ...reasons.map(([r, n]) => el('li', { text: `${r}: ${n}` })))
        : el('p', { class: 'muted', text: 'none' }),
      el('button', { type: 'button', text: 'Close', onclick: () => this.select(d.id) }),
    );
  }
}
