/** Runs the built `storegate replay` as a user does and collects its NDJSON events and stderr. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../../gateway/src/cli/bin.js');

export interface ReplayResult {
  events: Record<string, unknown>[];
  stderr: string;
  code: number | null;
  wallMs: number;
}

export function replay(args: readonly string[]): Promise<ReplayResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const events = out
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ events, stderr: err, code, wallMs: performance.now() - started });
    });
  });
}
