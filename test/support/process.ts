import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Signal a peer process and wait until it has exited (no-op if it already has). */
export async function stopProcess(
  proc: ChildProcess,
  signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM',
): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

/** Poll `ready` until it is true; fail with the peer's output if it exits or the deadline passes. */
export async function waitUntilReady(
  name: string,
  proc: ChildProcess,
  ready: () => Promise<boolean>,
  output: () => string,
  timeoutMs: number,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode}): ${output()}`);
    if (Date.now() > deadline)
      throw new Error(`${name} did not become ready in ${timeoutMs} ms: ${output()}`);
    await sleep(intervalMs);
  }
}

/** The built `storegate` CLI (npm test builds before running the suite). */
export const CLI_BIN = resolve(import.meta.dirname, '../../dist/gateway/src/cli/bin.js');

/** `storegate replay ARGS` as a process; stdout parsed as NDJSON. */
export function replayCli(args: string[], input?: string) {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} missing: run npx tsc -p tsconfig.json first`);
  const r = spawnSync(process.execPath, [CLI_BIN, 'replay', ...args], { encoding: 'utf8', input });
  const lines = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, lines, stderr: r.stderr };
}
