import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { haccpFile } from '../../features/coldchain/feature.js';
import { buildReport, reportCsv, reportHtml } from '../../features/coldchain/report.js';
import { HaccpStore } from '../../sinks/haccp/haccp-store.js';
import { withApiAuth } from '../api-credentials.js';
import { loadCliConfig } from '../cli-config.js';
import { printJson, printLine, table } from '../output.js';

function openRecord(config: LoadedConfig): HaccpStore {
  const file = haccpFile(config.dataDir);
  if (!existsSync(file))
    throw new StoregateError('SG_NOT_FOUND', `no HACCP record at ${file}`, {
      hint: 'the gateway creates it when coldchain.units are configured; check --config and data_dir',
    });
  return new HaccpStore(file, { readonly: true });
}

function apiBase(config: LoadedConfig, override?: string): string {
  if (override) return override.replace(/\/$/, '');
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}

/** `storegate haccp …`: verify the record, print the daily report, list and acknowledge alarms. */
export function registerHaccpCommand(program: Command): void {
  const haccp = program.command('haccp').description('cold-chain HACCP record: verify, daily report, alarms');

  haccp
    .command('verify')
    .description('check every unit’s hash chain: exit 1 if any record was edited, deleted or reordered')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const store = openRecord(loadCliConfig(cmd));
      try {
        const result = store.verify();
        if (opts.json) printJson(result);
        else {
          printLine(
            table(
              ['chain', 'records', 'head'],
              result.units.map((u) => [
                u.unit,
                String(u.records),
                u.head ? `#${u.head.seq} ${u.head.hash.slice(0, 16)}` : '-',
              ]),
            ),
          );
          for (const p of result.problems)
            printLine(`PROBLEM ${p.unit}${p.seq === null ? '' : ` #${p.seq}`}: ${p.problem} (${p.detail})`);
          printLine(result.ok ? 'record intact' : `record NOT intact: ${result.problems.length} problem(s)`);
        }
        if (!result.ok) process.exitCode = 1;
      } finally {
        store.close();
      }
    });

  haccp
    .command('report')
    .description('daily compliance report of the store: every unit, alarms and corrective actions')
    .requiredOption('--day <YYYY-MM-DD>', 'store day (local to store.timezone)')
    .option('--format <format>', 'csv, html or json', 'csv')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((opts: { day: string; format: string; out?: string }, cmd: Command) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.day))
        throw new StoregateError('SG_BAD_ARGUMENT', '--day must be YYYY-MM-DD');
      if (!['csv', 'html', 'json'].includes(opts.format))
        throw new StoregateError('SG_BAD_ARGUMENT', '--format must be csv, html or json');
      const store = openRecord(loadCliConfig(cmd));
      try {
        const report = buildReport(store, opts.day, systemClock().now());
        const text =
          opts.format === 'csv'
            ? reportCsv(report)
            : opts.format === 'html'
              ? reportHtml(report)
              : `${JSON.stringify(report, null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, text);
        else process.stdout.write(text);
      } finally {
        store.close();
      }
    });

  haccp
    .command('alarms')
    .description('alarms of the last days from the record, with their corrective actions')
    .option('--days <n>', 'how many days back', '1')
    .option('--json', 'machine-readable output')
    .action((opts: { days: string; json?: boolean }, cmd: Command) => {
      const days = Number(opts.days);
      if (!Number.isFinite(days) || days <= 0)
        throw new StoregateError('SG_BAD_ARGUMENT', '--days must be a positive number');
      const store = openRecord(loadCliConfig(cmd));
      try {
        const now = systemClock().now();
        const alarms = store.alarms(now - days * 86_400_000, now + 1);
        if (opts.json) return printJson({ alarms });
        if (alarms.length === 0) return printLine('no alarms');
        printLine(
          table(
            ['id', 'alarm', 'started', 'ended', 'peak °C', 'corrective action'],
            alarms.map((a) => [
              a.id,
              a.alarm,
              new Date(a.started_at).toISOString(),
              a.ended_at === null ? 'open' : new Date(a.ended_at).toISOString(),
              a.peak_c === null ? '' : String(a.peak_c),
              a.acks.map((k) => k.action).join('; ') || 'NONE',
            ]),
          ),
        );
      } finally {
        store.close();
      }
    });

  haccp
    .command('ack')
    .description('acknowledge an alarm with a corrective action (through the running gateway)')
    .argument('<alarm-id>', 'as listed by `storegate haccp alarms`')
    .requiredOption('--action <text>', 'one of coldchain.corrective_actions')
    .option('--note <text>', 'free text')
    .option('--url <url>', 'gateway HTTP base URL (default: from config http.host/port)')
    .action(async (id: string, opts: { action: string; note?: string; url?: string }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      if (!config.coldchain.corrective_actions.includes(opts.action))
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          `--action must be one of: ${config.coldchain.corrective_actions.join('; ')}`,
        );
      const base = apiBase(config, opts.url);
      let res: Response;
      try {
        res = await withApiAuth(config, (auth) =>
          fetch(`${base}/api/haccp/alarms/${encodeURIComponent(id)}/ack`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body: JSON.stringify({ action: opts.action, ...(opts.note ? { note: opts.note } : {}) }),
          }),
        );
      } catch (err) {
        throw new StoregateError(
          'SG_NOT_READY',
          `cannot reach the gateway at ${base}: ${(err as Error).message}`,
          {
            hint: 'is `storegate start` running? pass --url if it listens elsewhere',
          },
        );
      }
      const body = (await res.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      if (!res.ok) {
        const code =
          res.status === 404 ? 'SG_NOT_FOUND' : res.status === 400 ? 'SG_BAD_ARGUMENT' : 'SG_NOT_READY';
        throw new StoregateError(code, body?.error?.message ?? `HTTP ${res.status}`);
      }
      printLine(`acknowledged ${id}: ${opts.action}`);
    });
}
