import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './peers.js';

/**
 * `npm run demo` (built) as a child process on free ports in a temp dir: the one way the demo test, its quiet
 * watch and the browser tests start it.
 */

export const DEMO_BIN = resolve(import.meta.dirname, '../../dist/gateway/src/demo/run-demo.js');

export interface SpawnedDemo {
  child: ChildProcess;
  dataDir: string;
  httpPort: number;
  brokerPort: number;
  /** `http://127.0.0.1:<httpPort>` */
  base: string;
  /** Everything the demo printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the admin API token once the banner is printed; rejects if the demo exits first. */
  banner(timeoutMs?: number): Promise<string>;
  /** SIGTERM (SIGKILL after 20 s, said in the output); resolves with the exit code. Idempotent. */
  stop(): Promise<number | null>;
  /** stop(), then remove the data dir. */
  close(): Promise<number | null>;
}

export interface SpawnDemoOptions {
  /** An existing data dir (e.g. with test devices already in its registry); a fresh temp dir otherwise. */
  dataDir?: string;
  /** STOREGATE_LOG__LEVEL; the demo's own default (warn) otherwise. */
  logLevel?: string;
}

export async function spawnDemo(options: SpawnDemoOptions = {}): Promise<SpawnedDemo> {
  if (!existsSync(DEMO_BIN))
    throw new Error(`${DEMO_BIN} is missing: build first with \`npm run build\` (npm test does)`);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sg-demo-'));
  const [httpPort, brokerPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [DEMO_BIN], {
    env: {
      ...process.env,
      STOREGATE_DEMO_DIR: dataDir,
      ...(options.logLevel ? { STOREGATE_LOG__LEVEL: options.logLevel } : {}),
      STOREGATE_HTTP__PORT: String(httpPort),
      STOREGATE_HTTP__HOST: '127.0.0.1',
      STOREGATE_BROKER__PORT: String(brokerPort),
      STOREGATE_BROKER__HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const banner = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const token = /API token\s+(sgt_\S+)/.exec(output)?.[1];
      if (token) return token;
      if (child.exitCode !== null) throw new Error(`the demo exited early (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`no demo banner within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    // A graceful stop that hangs must not hang the test run.
    const timer = setTimeout(() => {
      output += '\n[spawnDemo] the demo did not stop within 20 s of SIGTERM: SIGKILL\n';
      child.kill('SIGKILL');
    }, 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    child,
    dataDir,
    httpPort,
    brokerPort,
    base: `http://127.0.0.1:${httpPort}`,
    output: () => output,
    banner,
    stop,
    async close() {
      const code = await stop();
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
