import type { HaccpReportData } from '../../core/coldchain-events.js';
import { StoregateError } from '../../core/errors.js';
import type { HaccpStore } from '../../sinks/haccp/haccp-store.js';

/**
 * The daily compliance report of a store (docs/coldchain.md "Daily report"): every unit's figures from the
 * recorded `coldchain.day` record, the alarms that overlapped the day with their corrective actions, and the
 * chain heads at the time of the report (so a later edit of that day shows against the copy sent out).
 */
export function buildReport(store: HaccpStore, day: string, now: number): HaccpReportData {
  const record = store.day(day);
  if (!record)
    throw new StoregateError('SG_NOT_FOUND', `no cold-chain day record for ${day}`, {
      hint: 'a day is recorded shortly after its local midnight, for days the gateway ran with coldchain.units',
    });
  const alarms = store.alarms(record.day_start, record.day_end);
  return {
    store: record.store,
    day: record.day,
    generated_at: now,
    units: record.units.map((u) => ({ ...u, alarm_list: alarms.filter((a) => a.unit === u.unit) })),
    chain_heads: store.heads(),
  };
}

const UNIT_COLUMNS = [
  'unit',
  'class',
  'min_limit_c',
  'max_limit_c',
  'min_c',
  'max_c',
  'mean_c',
  'minutes_out_of_range',
  'minutes_high',
  'minutes_low',
  'covered_minutes',
  'gap_minutes',
  'defrosts',
  'defrost_minutes',
  'door_openings',
  'door_open_minutes',
  'kwh',
  'alarms',
] as const;

const ALARM_COLUMNS = [
  'unit',
  'alarm',
  'started',
  'raised',
  'ended',
  'limit_c',
  'peak_c',
  'duration_min',
  'corrective_actions',
];

/** Two CSV tables (units, then alarms) separated by an empty line; times in ISO 8601 UTC. */
export function reportCsv(r: HaccpReportData): string {
  const lines = [`# HACCP cold-chain report,${csv(r.store)},${r.day}`, UNIT_COLUMNS.join(',')];
  for (const u of r.units) lines.push(UNIT_COLUMNS.map((c) => csv(u[c])).join(','));
  lines.push('', ALARM_COLUMNS.join(','));
  for (const u of r.units) for (const a of u.alarm_list) lines.push(alarmCells(a).map(csv).join(','));
  return `${lines.join('\n')}\n`;
}

/** A printable page (A4 landscape), no scripts or external resources. */
export function reportHtml(r: HaccpReportData): string {
  const head = UNIT_COLUMNS.map((c) => `<th>${esc(c.replaceAll('_', ' '))}</th>`).join('');
  const rows = r.units
    .map((u) => {
      const out = u.minutes_out_of_range > 0 || u.alarm_list.length > 0 ? ' class="deviation"' : '';
      return `<tr${out}>${UNIT_COLUMNS.map((c) => `<td>${esc(u[c])}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const alarms = r.units.flatMap((u) => u.alarm_list);
  const alarmRows = alarms
    .map(
      (a) =>
        `<tr${a.acks.length === 0 ? ' class="deviation"' : ''}>${alarmCells(a)
          .map((c) => `<td>${esc(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HACCP cold-chain report ${esc(r.store)} ${esc(r.day)}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { font: 10pt system-ui, sans-serif; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: right; }
th:first-child, td:first-child, td:nth-child(2) { text-align: left; }
tr.deviation td { background: #fde2e2; }
footer { font-size: 8pt; color: #444; word-break: break-all; }
</style></head><body>
<h1>HACCP cold-chain report</h1>
<p>Store <b>${esc(r.store)}</b> — day <b>${esc(r.day)}</b> — generated ${esc(iso(r.generated_at))}</p>
<h2>Units</h2>
<table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<h2>Alarms and corrective actions</h2>
${
  alarms.length === 0
    ? '<p>No alarms.</p>'
    : `<table><thead><tr>${ALARM_COLUMNS.map((c) => `<th>${esc(c.replaceAll('_', ' '))}</th>`).join('')}</tr></thead><tbody>\n${alarmRows}\n</tbody></table>`
}
<p>Signature: ______________________ Date: ____________</p>
<footer>Record chain heads: ${r.chain_heads.map((h) => `${esc(h.unit)}#${h.seq} ${esc(h.hash.slice(0, 16))}`).join('; ')}</footer>
</body></html>
`;
}

function alarmCells(a: HaccpReportData['units'][number]['alarm_list'][number]): unknown[] {
  return [
    a.unit,
    a.alarm,
    iso(a.started_at),
    iso(a.raised_at),
    a.ended_at === null ? 'open' : iso(a.ended_at),
    a.limit_c,
    a.peak_c,
    a.duration_s === null ? '' : Math.round(a.duration_s / 6) / 10,
    a.acks.length === 0
      ? 'NONE'
      : a.acks
          .map((k) => `${iso(k.at)} ${k.by ?? 'unknown'}: ${k.action}${k.note ? ` (${k.note})` : ''}`)
          .join(' | '),
  ];
}

function iso(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function csv(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function esc(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
