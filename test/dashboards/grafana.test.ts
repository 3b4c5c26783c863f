import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { DayRecord, MinuteRecord } from '../../gateway/src/core/footfall-records.js';
import {
  dayPoints,
  minutePoints,
  RP_HOURLY,
  RP_MINUTES,
} from '../../gateway/src/sinks/influx/influx-schema.js';
import { hourlyRollups } from '../../gateway/src/sinks/influx/rollup-backfill.js';
import { createLogger } from '../../shared/src/logger.js';

/**
 * Issue 15.7: the shipped Grafana dashboards ask for what the gateway really exports. Every Prometheus panel's
 * metric is in /metrics of a running gateway; every InfluxDB panel's measurement, field and tag is one the
 * gateway writes (sinks/influx/influx-schema.ts and the hourly rollups).
 */
const GRAFANA = resolve(import.meta.dirname, '../../dashboards/grafana');

interface Target {
  expr?: string;
  query?: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; datasource: { uid: string }; query: unknown }[] };
}

const dashboards = readdirSync(join(GRAFANA, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(GRAFANA, 'dashboards', f), 'utf8')) as Dashboard] as const);
const datasources = (
  parse(readFileSync(join(GRAFANA, 'provisioning/datasources/storegate.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string }[];
  }
).datasources;

const panelsOf = (type: string) =>
  dashboards.flatMap(([file, d]) =>
    d.panels.filter((p) => p.datasource.type === type).map((p) => ({ file, p })),
  );

let gateway: Gateway;
let exported: Set<string>;
const dir = mkdtempSync(join(tmpdir(), 'sg-grafana-'));

beforeAll(async () => {
  writeFileSync(
    join(dir, 'planogram.json'),
    JSON.stringify({
      plates: [{ device: 'shelf-1', channel: 0, sku: 'cola', unit_grams: 350, capacity: 10 }],
    }),
  );
  const config = parseConfig(
    {
      store: { id: 'grafana-store' },
      data_dir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
      shelves: { planogram: join(dir, 'planogram.json') },
      checkout: { lanes: [{ id: 'lane-1', scanner: 'scan-1', scale: 'scale-1' }] },
    },
    { env: {}, baseDir: dir },
  );
  gateway = await buildGateway(config, { logger: createLogger({ level: 'silent' }) });
  await gateway.start();
  const http = gateway.addresses().http!.replace(/^https?:\/\//, '');
  // From this machine /metrics needs no credentials (what a Prometheus on the store PC sees).
  const text = await (await fetch(`http://${http}/metrics`)).text();
  exported = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [name, type] = [m[1]!, m[2]!];
    exported.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) exported.add(name + s);
  }
});

afterAll(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Grafana dashboards', () => {
  it('ship footfall, shelves, lanes and device health, each panel on a provisioned datasource', () => {
    expect(dashboards.map(([, d]) => d.uid).sort()).toEqual([
      'storegate-device-health',
      'storegate-footfall',
      'storegate-footfall-prom',
      'storegate-lanes',
      'storegate-shelves',
    ]);
    const uids = new Map(datasources.map((d) => [d.uid, d.type]));
    for (const [file, d] of dashboards) {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids unique`).toBe(ids.length);
      for (const p of d.panels) {
        expect(uids.get(p.datasource.uid), `${file} "${p.title}" datasource`).toBe(p.datasource.type);
        expect(p.targets.length, `${file} "${p.title}" has a query`).toBeGreaterThan(0);
        expect(p.gridPos.x + p.gridPos.w, `${file} "${p.title}" fits 24 columns`).toBeLessThanOrEqual(24);
      }
      for (const v of d.templating?.list ?? [])
        expect(uids.has(v.datasource.uid), `${file} $${v.name}`).toBe(true);
    }
  });

  it('every Prometheus panel asks for metrics a running gateway exports', () => {
    const panels = panelsOf('prometheus');
    expect(panels.length).toBeGreaterThan(20);
    for (const { file, p } of panels) {
      for (const t of p.targets) {
        const names = [...(t.expr ?? '').matchAll(/\bstoregate_[a-z0-9_]+/g)].map((m) => m[0]);
        expect(names.length, `${file} "${p.title}": ${t.expr}`).toBeGreaterThan(0);
        for (const name of names)
          expect(exported.has(name), `${file} "${p.title}": ${name} not in /metrics`).toBe(true);
      }
    }
    // The variable's metric too.
    expect(exported.has('storegate_feature_up')).toBe(true);
  });

  it('every InfluxDB panel reads a measurement, fields and tags the gateway writes', () => {
    const minute = {
      store: 's',
      t: 0,
      in: 1,
      out: 1,
      occupancy: 1,
      transactions: 1,
      doors: { d: { in: 1, out: 1 } },
      zones: { z: 1 },
    } as unknown as MinuteRecord;
    const day = {
      store: 's',
      day_start: 0,
      in: 1,
      out: 1,
      residual: 0,
      scale: 1,
      transactions: 1,
      doors: { d: { in: 1, out: 1, residual: 0 } },
      minute_t0: 0,
      corrected_occupancy: [0],
    } as unknown as DayRecord;
    // rp.measurement → fields and tags, from the writers themselves.
    const schema = new Map<string, { fields: Set<string>; tags: Set<string> }>();
    const add = (key: string, fields: string[], tags: string[]) => {
      const s = schema.get(key) ?? { fields: new Set(), tags: new Set() };
      for (const f of fields) s.fields.add(f);
      for (const t of tags) s.tags.add(t);
      schema.set(key, s);
    };
    for (const p of [...minutePoints(minute), ...dayPoints(day)])
      add(`${p.rp ?? RP_MINUTES}.${p.measurement}`, Object.keys(p.fields), Object.keys(p.tags));
    for (const r of hourlyRollups('db')) {
      const fields = [...r.select.matchAll(/AS "([a-z_]+)"/g)].map((m) => m[1]!);
      const target = /INTO "db"\."[a-z_]+"\."([a-z_0-9]+)"/.exec(r.select)![1]!;
      add(`${RP_HOURLY}.${target}`, fields, [...(schema.get(`${RP_MINUTES}.${r.source}`)?.tags ?? [])]);
    }
    const panels = panelsOf('influxdb');
    expect(panels.length).toBeGreaterThan(5);
    for (const { file, p } of panels) {
      for (const t of p.targets) {
        const q = t.query ?? '';
        const from = /FROM "([a-z_]+)"\."([a-z_0-9]+)"/.exec(q);
        expect(from, `${file} "${p.title}": ${q}`).not.toBeNull();
        const entry = schema.get(`${from![1]}.${from![2]}`);
        expect(
          entry,
          `${file} "${p.title}": ${from![1]}.${from![2]} is not written by the gateway`,
        ).toBeDefined();
        for (const m of q.matchAll(/\b(?:sum|last|max|min|mean|count)\("([a-z_]+)"\)/g))
          expect(entry!.fields.has(m[1]!), `${file} "${p.title}": field ${m[1]}`).toBe(true);
        for (const m of q.matchAll(/(?:WHERE|AND|GROUP BY time\([^)]*\),) "([a-z_]+)"/g))
          expect(entry!.tags.has(m[1]!), `${file} "${p.title}": tag ${m[1]}`).toBe(true);
      }
    }
  });

  it('one step provisions them: provision.sh installs datasources, provider and every dashboard', () => {
    const target = mkdtempSync(join(tmpdir(), 'sg-grafana-etc-'));
    try {
      const out = execFileSync('sh', [join(GRAFANA, 'provision.sh')], {
        env: { ...process.env, GRAFANA_DIR: target },
      });
      expect(out.toString()).toContain(`${dashboards.length} dashboards`);
      const provider = parse(
        readFileSync(join(target, 'provisioning/dashboards/storegate.yaml'), 'utf8'),
      ) as {
        providers: { options: { path: string } }[];
      };
      const path = provider.providers[0]!.options.path;
      expect(path).toBe(join(target, 'dashboards/storegate'));
      expect(readdirSync(path).sort()).toEqual(dashboards.map(([f]) => f).sort());
      expect(readFileSync(join(target, 'provisioning/datasources/storegate.yaml'), 'utf8')).toContain(
        'storegate-prometheus',
      );
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});
