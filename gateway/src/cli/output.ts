import Table from 'cli-table3';
import { redactUrl } from '../../../shared/src/logger.js';
import type { DeviceLocation } from '../ports/device-registry.js';

/** Output helpers shared by CLI commands: JSON for scripts, tables and aligned fields for people. */
/** Everything the CLI prints goes through these, so credentials inside URLs (cloud.url…) are never shown. */
export function printJson(value: unknown): void {
  process.stdout.write(`${redactUrl(JSON.stringify(value, null, 2))}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${redactUrl(line)}\n`);
}

export function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  t.push(...rows);
  return t.toString();
}

/** `key  value` lines with the keys padded to one column. */
export function fields(entries: [string, string][], indent = 2): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${' '.repeat(indent)}${k.padEnd(width)}  ${v}`).join('\n');
}

export function formatLocation(location: DeviceLocation): string {
  const parts = Object.entries(location).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}

export function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago", or "never". */
export function relativeTime(at: number | null, now: number): string {
  if (at === null) return 'never';
  const s = Math.round((now - at) / 1000);
  if (s < 0) return 'in the future (clock skew?)';
  if (s < 2) return 'just now';
  if (s < 120) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.round(h / 24)}d ago`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
