import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The built CLI the tests spawn; `SG_TEST_CLI_BIN` may point at another build (CI, packaging checks). */
export const CLI_BIN = resolve(process.env.SG_TEST_CLI_BIN ?? 'dist/gateway/src/cli/bin.js');

/** Build once if the CLI was never built (`npm test` builds first; a plain `vitest run` may not have). */
export function ensureBuilt(): void {
  if (!existsSync(CLI_BIN)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'ignore' });
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} missing after build: run npx tsc -p tsconfig.json`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The parent's environment without STOREGATE_* variables: those are config overrides for the child. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STOREGATE_')) env[k] = v;
  return { ...env, ...extra };
}

/**
 * How long one CLI process may run before it is killed and the test fails naming it. Generous: on a loaded
 * 2-core CI machine node alone takes seconds to start; a hang is what this catches, not slowness.
 */
export const CLI_DEADLINE_MS = 60_000;

/**
 * A test's own deadline for `runs` CLI processes (or gateway starts, or waits) in sequence: each has its own
 * deadline that fires first and names what hung, so the test's is only the backstop, not a budget for the
 * machine's speed.
 */
export const deadlineForRuns = (runs: number): number => (runs + 1) * CLI_DEADLINE_MS;

/** `node <bin> args` in `cwd`; rejects, naming the command, if it has not exited within CLI_DEADLINE_MS. */
export function runBin(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { env: cleanEnv(opts.env), timeout: CLI_DEADLINE_MS, ...(opts.cwd ? { cwd: opts.cwd } : {}) },
      (err, stdout, stderr) => {
        if (err?.killed) {
          fail(
            new Error(`storegate ${args.join(' ')} did not exit within ${CLI_DEADLINE_MS} ms:\n${stderr}`),
          );
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

export function runCli(configFile: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runBin(['--config', configFile, ...args], { env });
}

export function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'storegate.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface RunningGateway {
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * `storegate start` as a child process, resolved once it answers: by default any answer on plain HTTP
 * `/healthz`; `answers` replaces that probe (e.g. over HTTPS), true once the gateway is up.
 */
export async function startGateway(
  configFile: string,
  httpPort: number,
  answers: () => Promise<boolean> = async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    await res.body?.cancel();
    return true; // answered (200 healthy, 503 degraded): it is up
  },
): Promise<RunningGateway> {
  const child = spawn(process.execPath, [CLI_BIN, '--config', configFile, 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const gateway: RunningGateway = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
  const deadline = Date.now() + CLI_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited early (${child.exitCode}):\n${output}`);
    try {
      if (await answers()) return gateway;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await gateway.stop();
  throw new Error(`gateway did not answer /healthz within ${CLI_DEADLINE_MS} ms:\n${output}`);
}

export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
