import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { type OutboxStatus, readOutboxStatus } from '../../sinks/outbox/outbox-status.js';

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

function render(s: OutboxStatus): string {
  const age = s.oldest_unsent_age_s === null ? '-' : `${s.oldest_unsent_age_s.toFixed(1)} s`;
  const state =
    s.state === 'refusing'
      ? `REFUSING every new reading (disk full)${s.refusing_since === null ? '' : ` since ${new Date(s.refusing_since).toISOString()}`}`
      : s.state === 'compacting'
        ? 'compacting telemetry (must-deliver kept)'
        : 'accepting';
  const lines = [
    `state         ${state}; epoch ${s.epoch}`,
    `must_deliver  ${String(s.depth.must_deliver).padStart(10)} events  ${human(s.bytes.must_deliver)}`,
    `telemetry     ${String(s.depth.telemetry).padStart(10)} events  ${human(s.bytes.telemetry)}`,
    `budget        ${human(s.used_bytes)} of ${human(s.budget_bytes)} (${(s.used_share * 100).toFixed(1)} %), watermark ${s.watermark}`,
    `free disk     ${human(s.free_disk_bytes)} free + ${human(s.reclaimable_bytes)} reusable in outbox.db = ${human(s.available_disk_bytes)} available (floor ${human(s.min_free_disk_bytes)})`,
    `reserve       ${human(s.reserve_present_bytes)} of ${human(s.reserve_bytes)} held; outbox.db ${human(s.file_bytes)} on disk`,
    `oldest unsent ${age}`,
    `growth        ${human(s.growth_bytes_per_s)}/s over the last 5 min; budget full ${
      s.budget_full_eta_s === null ? 'never at this rate' : `in ~${duration(s.budget_full_eta_s)}`
    }`,
    `streams       ${s.streams}`,
  ];
  for (const lost of s.lost_files) lines.push(`moved aside   ${lost} (after a loss: inspect, then delete)`);
  const counters = Object.entries(s.counters);
  if (counters.length > 0) {
    lines.push('counters:');
    for (const [name, n] of counters) lines.push(`  ${name.padEnd(32)} ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerOutboxCommand(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('inspect the durable outbox (store-and-forward queue)');
  outbox
    .command('status')
    .description(
      'depth, bytes, budget, oldest unsent event and counters, read from the outbox database (safe while the gateway runs)',
    )
    .option('--json', 'print JSON (snake_case) instead of a table')
    .action((opts: { json?: boolean }) => {
      const { config } = program.opts<{ config: string }>();
      const explicit = program.getOptionValueSource('config') === 'cli' ? config : undefined;
      const loaded = loadConfig(explicit ?? (process.env.STOREGATE_CONFIG || undefined));
      const status = readOutboxStatus(loaded);
      process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : render(status));
    });
}
