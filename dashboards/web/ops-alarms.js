// One alarm list with ages: lane alerts, stock outs/lows, shelf sensor faults, offline devices, cold chain.
import { ago, el } from './common.js';
import { reasonText } from './ops-lanes.js';

const SEVERITY = { critical: 0, warning: 1 };

/** Alarms from the current API answers; `since` is when the condition began (null when not known). */
export function collectAlarms({ lanes = [], plates = [], devices = [], cold = [] }) {
  const alarms = [];
  for (const l of lanes) {
    if (l.alert)
      alarms.push({
        kind: 'lane',
        severity: 'critical',
        what: `${l.lane}: ${reasonText(l.alert.reason)}${l.alert.name ? ` (${l.alert.name})` : ''}`,
        since: l.alert.raised_at,
      });
  }
  for (const p of plates) {
    const where = `${p.fixture ?? p.device}/${p.channel} ${p.sku}`;
    if (p.stock_alarm === 'out' || p.stock_alarm === 'low')
      alarms.push({
        kind: 'shelf',
        severity: p.stock_alarm === 'out' ? 'critical' : 'warning',
        what: `${where}: ${p.stock_alarm === 'out' ? 'out of stock' : `low stock (${p.stock} left)`}`,
        since: p.stock_alarm_since ?? null,
      });
    if (p.sensor && p.sensor !== 'ok')
      alarms.push({
        kind: 'sensor',
        severity: 'warning',
        what: `${where}: load cell ${p.sensor}`,
        since: null,
        seen: p.last_sample_at,
      });
  }
  for (const d of devices) {
    if (d.registered && d.state === 'offline')
      alarms.push({
        kind: 'sensor',
        severity: 'warning',
        what: `${d.id} (${d.kind}) offline`,
        since: d.last_seen,
      });
  }
  for (const a of cold) {
    alarms.push({
      kind: 'cold chain',
      severity: 'critical',
      what: `${a.unit}: ${a.alarm}${a.value_c === null ? '' : ` at ${a.value_c} °C`}${a.limit_c === null ? '' : ` (limit ${a.limit_c} °C)`}`,
      since: a.started_at,
    });
  }
  const age = (a) => a.since ?? Number.MAX_SAFE_INTEGER;
  return alarms.sort((a, b) => SEVERITY[a.severity] - SEVERITY[b.severity] || age(a) - age(b));
}

export function renderAlarms(list, count, alarms, now = Date.now()) {
  count.textContent = alarms.length ? String(alarms.length) : '';
  list.replaceChildren(
    ...(alarms.length
      ? alarms.map((a) =>
          el(
            'li',
            { class: a.severity, 'data-kind': a.kind },
            el('span', { class: 'kind', text: a.kind }),
            el('span', { class: 'what', text: a.what }),
            el('span', {
              class: 'age muted',
              text: a.since
                ? `since ${ago(a.since, now).replace(' ago', '')}`
                : a.seen
                  ? `last sample ${ago(a.seen, now)}`
                  : '',
            }),
          ),
        )
      : [el('li', { class: 'none muted', text: 'No alarms.' })]),
  );
}
