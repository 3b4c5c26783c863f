import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { ConfiguredLaneDirectory } from '../../registry/lanes.js';
import { withApiAuth } from '../api-credentials.js';
import { loadCliConfig, withRegistry } from '../cli-config.js';
import { printJson, printLine, table } from '../output.js';

/** The running gateway's HTTP API (lane state lives in its memory, not in a file). */
function apiBase(config: LoadedConfig, override?: string): string {
  if (override) return override.replace(/\/$/, '');
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}

async function call(base: string, path: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, init);
  } catch (err) {
    throw new StoregateError(
      'SG_NOT_READY',
      `cannot reach the gateway at ${base}: ${(err as Error).message}`,
      {
        hint: 'is `storegate start` running? pass --url if it listens elsewhere',
      },
    );
  }
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    const message = body?.error?.message ?? `HTTP ${res.status}`;
    throw new StoregateError(res.status === 404 ? 'SG_BAD_ARGUMENT' : 'SG_NOT_READY', message);
  }
  return body;
}

interface LaneRow {
  lane: string;
  phase: string;
  message: string;
  scanned: number;
  verified: number;
  alert: { reason: string } | null;
  maintenance: boolean;
}

export function registerLaneCommand(program: Command): void {
  const lane = program
    .command('lane')
    .description('staff-less checkout lanes: devices, live state, attendant actions');

  lane
    .command('list')
    .description('configured lanes and their devices (config checkout.lanes + registry location.lane)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      await withRegistry(config, (registry) => {
        const directory = new ConfiguredLaneDirectory(config.checkout.lanes, registry, systemClock());
        const rows = directory.lanes().map((id) => ({ lane: id, devices: directory.devices(id) }));
        if (opts.json) return printJson({ lanes: rows });
        if (rows.length === 0)
          return printLine('no lanes: add checkout.lanes to the config or place devices with --lane');
        printLine(
          table(
            ['lane', 'devices'],
            rows.map((r) => [
              r.lane,
              Object.entries(r.devices)
                .map(([k, v]) => `${k}=${v}`)
                .join(' '),
            ]),
          ),
        );
      });
    });

  lane
    .command('status')
    .description('live state of every lane (or one) from the running gateway')
    .argument('[lane]', 'one lane id')
    .option('--url <url>', 'gateway HTTP base URL (default: from config http.host/port)')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, opts: { url?: string; json?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const base = apiBase(config, opts.url);
      const data = await withApiAuth(config, async (headers) =>
        id
          ? [(await call(base, `/api/lanes/${encodeURIComponent(id)}`, { headers })) as LaneRow]
          : ((await call(base, '/api/lanes', { headers })) as { lanes: LaneRow[] }).lanes,
      );
      if (opts.json) return printJson(id ? data[0] : { lanes: data });
      printLine(
        table(
          ['lane', 'phase', 'items', 'alert', 'display'],
          data.map((l) => [
            l.lane,
            l.phase,
            `${l.verified}/${l.scanned}`,
            `${l.alert?.reason ?? '-'}${l.maintenance ? ' (maintenance)' : ''}`,
            l.message,
          ]),
        ),
      );
    });

  for (const action of ['clear', 'override'] as const) {
    lane
      .command(action)
      .description(
        action === 'clear'
          ? "attendant: resolve the lane's open alert (the scale's current weight is accepted)"
          : 'attendant: the weighing is right for the scanned item (verifies it; an override never teaches its weight)',
      )
      .argument('<lane>', 'lane id')
      .requiredOption('--note <text>', 'why (recorded with the lane.alert.cleared event)')
      .option('--url <url>', 'gateway HTTP base URL (default: from config http.host/port)')
      .action(async (id: string, opts: { note: string; url?: string }, cmd: Command) => {
        const config = loadCliConfig(cmd);
        const base = apiBase(config, opts.url);
        const body = JSON.stringify({ action, note: opts.note });
        // Recorded as the CLI's identity (see api-credentials.ts), not as a name the caller types.
        await withApiAuth(config, (auth) =>
          call(base, `/api/lanes/${encodeURIComponent(id)}/attendant`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body,
          }),
        );
        printLine(`${id}: alert ${action === 'clear' ? 'cleared' : 'overridden'}`);
      });
  }

  lane
    .command('learned')
    .description('learned item weights held back by the daily drift bound (learning.max_drift_pct_per_day)')
    .option('--url <url>', 'gateway HTTP base URL (default: from config http.host/port)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { url?: string; json?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const base = apiBase(config, opts.url);
      const body = (await withApiAuth(config, (auth) =>
        call(base, '/api/checkout/learned/held', { headers: { ...auth } }),
      )) as {
        held: Array<{ gtin: string; learned_grams: number; used_grams: number; confirmed_grams: number }>;
      };
      if (opts.json) return printJson(body);
      if (body.held.length === 0) return printLine('no learned weight is held back');
      printLine(
        table(
          ['gtin', 'learned g', 'used g', 'confirmed g'],
          body.held.map((h) => [
            h.gtin,
            String(h.learned_grams),
            String(h.used_grams),
            String(h.confirmed_grams),
          ]),
        ),
      );
    });

  lane
    .command('confirm-weight')
    .description("installer: accept an item's learned weight as its confirmed weight (ends the drift hold)")
    .argument('<gtin>', 'the GTIN')
    .option('--url <url>', 'gateway HTTP base URL (default: from config http.host/port)')
    .action(async (gtin: string, opts: { url?: string }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const base = apiBase(config, opts.url);
      const r = (await withApiAuth(config, (auth) =>
        call(base, `/api/checkout/learned/${encodeURIComponent(gtin)}/confirm`, {
          method: 'POST',
          headers: { ...auth },
        }),
      )) as { gtin: string; confirmed_grams: number; n: number };
      printLine(`${r.gtin}: ${r.confirmed_grams} g confirmed (${r.n} weighings)`);
    });
}
