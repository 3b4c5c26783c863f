import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';

const cli = resolve(import.meta.dirname, '../../dist/gateway/src/cli/bin.js');

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gateway process lifecycle (built CLI, real sockets)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('starts on embedded defaults, serves /healthz and /metrics, and stops gracefully on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-life-'));
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const config = join(dir, 'storegate.yaml');
    writeFileSync(
      config,
      `data_dir: ./data\nhttp:\n  host: 127.0.0.1\n  port: ${httpPort}\nbroker:\n  host: 127.0.0.1\n  port: ${brokerPort}\n`,
    );
    let stderr = '';
    child = spawn(process.execPath, [cli, '--config', config, 'start'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));

    const health = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
    });
    expect(health.status).toBe('ok');
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toContain('storegate_process_');

    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code, stderr).toBe(0);
  });

  it('refuses to start on an invalid config and names every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-life-'));
    const config = join(dir, 'storegate.yaml');
    writeFileSync(config, 'broker:\n  port: huge\n  colour: blue\n');
    const proc = spawn(process.execPath, [cli, '--config', config, 'start'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr).toContain('SG_CONFIG_INVALID');
    expect(stderr).toContain('broker.port');
    expect(stderr).toContain('broker.colour: unknown key');
  });
});
