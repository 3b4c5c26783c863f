// Footfall, occupancy and conversion charts (uPlot, vendored) over a chosen range; the current bucket is
// drawn apart as "so far" so a partial bucket never looks like a drop.
import { $, clock, get, pct } from './common.js';

const DAY = 86_400_000;
const RANGES = {
  today: (d0, now) => ({ from: d0, to: now, step: '15m', stepMs: 900_000, label: 'Today' }),
  yesterday: (d0) => ({ from: d0 - DAY, to: d0, step: '15m', stepMs: 900_000, label: 'Yesterday' }),
  week: (d0, now) => ({ from: d0 - 6 * DAY, to: now, step: '1h', stepMs: 3_600_000, label: 'Last 7 days' }),
  lastweek: (d0) => ({
    from: d0 - 7 * DAY,
    to: d0 - 6 * DAY,
    step: '15m',
    stepMs: 900_000,
    label: 'Same weekday last week',
  }),
};

const COLORS = { in: '#2b6cb0', out: '#c05621', ghost: '#718096', occ: '#2f855a', conv: '#6b46c1' };

function bars(align) {
  return globalThis.uPlot.paths.bars({ size: [0.42, 40], align });
}

function chartOptions(series, height, yLabel, yMin = 1) {
  return {
    width: 600,
    height,
    ms: 1,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    // Counts and shares start at 0; an empty or flat range still gets a readable axis.
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(yMin, max ?? 0) * 1.1] } },
    axes: [{ stroke: '#555' }, { stroke: '#555', label: yLabel, size: 48 }],
    series: [
      { label: 'time', value: (_u, v) => (v == null ? '–' : new Date(v).toLocaleString()) },
      ...series,
    ],
  };
}

/**
 * Every bucket of the range, in order: the API answers only buckets that saw data. A bucket without data had
 * nobody in or out; its occupancy is the previous bucket's (unknown before the first).
 */
function fill(buckets, r, now) {
  const byT = new Map(buckets.map((b) => [b.t, b]));
  const out = [];
  const first = Math.floor(r.from / r.stepMs) * r.stepMs;
  const end = Math.min(r.to, now);
  let occupancy = null;
  for (let t = first; t < end; t += r.stepMs) {
    const b = byT.get(t);
    if (b) occupancy = b.occupancy;
    out.push(b ? { ...b } : { t, in: 0, out: 0, transactions: 0, occupancy, conversion: null });
  }
  return out;
}

/** One uPlot that follows its container's width. */
class Chart {
  constructor(target, options) {
    this.target = target;
    this.options = options;
    this.plot = null;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(target);
  }

  size() {
    return { width: Math.max(200, this.target.clientWidth), height: this.options.height };
  }

  set(data) {
    if (!this.plot) this.plot = new globalThis.uPlot({ ...this.options, ...this.size() }, data, this.target);
    else this.plot.setData(data);
  }
}

export class Footfall {
  constructor() {
    this.range = 'today';
    this.dayStart = null;
    const ff = $('chart-footfall');
    this.flow = new Chart(
      ff,
      chartOptions(
        [
          { label: 'entries', fill: COLORS.in, stroke: COLORS.in, paths: bars(-1), points: { show: false } },
          { label: 'exits', fill: COLORS.out, stroke: COLORS.out, paths: bars(1), points: { show: false } },
          {
            label: 'entries so far (partial)',
            fill: `${COLORS.in}55`,
            stroke: COLORS.in,
            dash: [4, 3],
            paths: bars(-1),
            points: { show: false },
          },
          {
            label: 'exits so far (partial)',
            fill: `${COLORS.out}55`,
            stroke: COLORS.out,
            dash: [4, 3],
            paths: bars(1),
            points: { show: false },
          },
          {
            label: 'entries same weekday last week',
            stroke: COLORS.ghost,
            dash: [6, 4],
            width: 2,
            points: { show: false },
          },
        ],
        220,
        'people',
      ),
    );
    this.occupancy = new Chart(
      $('chart-occupancy'),
      chartOptions(
        [{ label: 'occupancy', stroke: COLORS.occ, width: 2, fill: `${COLORS.occ}22` }],
        160,
        'people',
      ),
    );
    this.conversion = new Chart(
      $('chart-conversion'),
      chartOptions(
        [
          {
            label: 'conversion',
            stroke: COLORS.conv,
            width: 2,
            spanGaps: false,
            value: (_u, v) => (v == null ? '–' : pct(v)),
          },
        ],
        160,
        '%',
        0.1,
      ),
    );
    this.conversion.options.axes[1].values = (_u, ticks) => ticks.map((v) => `${Math.round(v * 100)}%`);
    for (const button of $('ranges').querySelectorAll('button')) {
      button.addEventListener('click', () => {
        this.range = button.dataset.range;
        for (const b of $('ranges').querySelectorAll('button'))
          b.setAttribute('aria-pressed', String(b === button));
        this.onChange?.();
      });
    }
  }

  /**
   * Fetch and draw the chosen range. `live` is /api/occupancy: its day start, and today's live totals, which
   * include the minute not yet closed into the rollups — added to the current bucket so that the chart and
   * the cards agree.
   */
  async refresh(live, now = Date.now()) {
    const r = RANGES[this.range](live.day_start, now);
    const q = (from, to) => get(`/api/footfall?from=${from}&to=${to}&step=${r.step}`);
    const [main, ghost] = await Promise.all([
      q(r.from, r.to),
      this.range === 'today' ? q(r.from - 7 * DAY, r.from - 6 * DAY).catch(() => null) : null,
    ]);
    const buckets = fill(main.buckets, r, now);
    const totals = { ...main.totals };
    if (this.range === 'today' && buckets.length > 0) {
      const open = buckets[buckets.length - 1];
      const dIn = Math.max(0, live.in - totals.in);
      const dOut = Math.max(0, live.out - totals.out);
      open.in += dIn;
      open.out += dOut;
      open.occupancy = live.occupancy;
      totals.in += dIn;
      totals.out += dOut;
      totals.transactions = Math.max(totals.transactions, live.transactions ?? 0);
      totals.conversion = live.conversion ?? null;
    }
    this.draw(buckets, totals, ghost, r, now);
    return main;
  }

  draw(b, t, ghost, r, now) {
    const partial = b.length > 0 && b[b.length - 1].t + r.stepMs > now ? b.length - 1 : -1;
    const xs = b.map((x) => x.t + r.stepMs / 2);
    const full = (key) => b.map((x, i) => (i === partial ? null : x[key]));
    const part = (key) => b.map((x, i) => (i === partial ? x[key] : null));
    const lastWeek = new Map((ghost?.buckets ?? []).map((x) => [x.t + 7 * DAY, x.in]));
    const ghostSeries = b.map((x) => lastWeek.get(x.t) ?? (ghost ? 0 : null));
    this.flow.set([xs, full('in'), full('out'), part('in'), part('out'), ghostSeries]);
    this.occupancy.set([xs, b.map((x) => x.occupancy)]);
    this.conversion.set([xs, b.map((x) => x.conversion)]);
    const step = r.stepMs === 900_000 ? '15-minute' : 'hourly';
    const partText =
      partial >= 0
        ? ` The last bucket (from ${clock(b[partial].t)}) is partial: ${b[partial].in} in / ${b[partial].out} out so far.`
        : '';
    const ghostText = ghost ? ` Same weekday last week: ${ghost.totals.in} entries.` : '';
    $('footfall-summary').textContent =
      `${r.label}: ${t.in} entries, ${t.out} exits, ${t.transactions} transactions, conversion ${pct(t.conversion)} (${step} buckets${r.label === 'Today' ? '; the current one counts live' : ', closed each minute'}).${partText}${ghostText}`;
    $('footfall-summary').dataset.in = String(t.in);
    $('footfall-summary').dataset.out = String(t.out);
  }
}
