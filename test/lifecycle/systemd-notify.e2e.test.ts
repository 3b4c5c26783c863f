import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cleanEnv, eventually, writeConfig } from '../cli/support.js';
import { freePort } from '../support/peers.js';

/**
 * `storegate start` under a NOTIFY_SOCKET this test owns (a python3 unix datagram receiver, standing in for
 * systemd): READY=1 after start with a STATUS line, WATCHDOG=1 pings at half of WATCHDOG_USEC, none while the
 * event loop is blocked (the SG_TEST_BLOCK_LOOP_MS hook blocks it on SIGUSR2), STOPPING=1 on SIGTERM.
 */
const PYTHON = '/usr/bin/python3';
const BLOCK_MS = 3_000;
const WATCHDOG_USEC = 400_000; // a ping every 200 ms

interface Note {
  at: number; // receiver's monotonic seconds
  text: string;
}

let dir: string;
let receiver: ChildProcess;
let gateway: ChildProcess;
let gatewayOutput = '';
const notes: Note[] = [];

beforeAll(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: sudo apt-get install -y python3`);
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} missing: run npx tsc -p tsconfig.json`);
  dir = mkdtempSync(join(tmpdir(), 'sg-notify-'));
  const socket = join(dir, 'notify.sock');
  receiver = spawn(PYTHON, [resolve('test/support/notify_socket.py'), socket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let listening = false;
  let partial = '';
  receiver.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'listening') listening = true;
      const m = /^(\d+\.\d+) (.*)$/.exec(line);
      if (m) notes.push({ at: Number(m[1]), text: m[2]! });
    }
  });
  await eventually(async () => (listening ? true : undefined), 'notify receiver listening');
  const config = writeConfig(
    dir,
    [
      'data_dir: ./data',
      'log: { level: info }',
      `broker: { host: 127.0.0.1, port: ${await freePort()} }`,
      `http: { host: 127.0.0.1, port: ${await freePort()} }`,
    ].join('\n'),
  );
  gateway = spawn(process.execPath, [CLI_BIN, '--config', config, 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({
      NOTIFY_SOCKET: socket,
      WATCHDOG_USEC: String(WATCHDOG_USEC),
      SG_TEST_BLOCK_LOOP_MS: String(BLOCK_MS),
    }),
  });
  gateway.stdout?.on('data', (c: Buffer) => (gatewayOutput += c.toString()));
  gateway.stderr?.on('data', (c: Buffer) => (gatewayOutput += c.toString()));
}, 30_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  receiver?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const pings = () => notes.filter((n) => n.text === 'WATCHDOG=1');
const find = (re: RegExp) => notes.find((n) => re.test(n.text));

describe('systemd notify', () => {
  it('sends READY=1 with a STATUS line after the features started, then watchdog pings', async () => {
    const ready = await eventually(
      async () => find(/READY=1/),
      `READY=1 (gateway output:\n${gatewayOutput})`,
      30_000,
    );
    expect(ready.text).toMatch(/STATUS=\d+ devices online, outbox \d+ queued/);
    // READY follows the 'storegate started' line (features up, HTTP listening); stdout may arrive a bit later.
    await eventually(
      async () => (gatewayOutput.includes('storegate started') ? true : undefined),
      'started line',
    );
    await eventually(
      async () => (pings().filter((p) => p.at > ready.at).length >= 5 ? true : undefined),
      '5 pings',
    );
  }, 60_000);

  it('sends no ping while the event loop is blocked, and pings again after', async () => {
    gateway.kill('SIGUSR2');
    const blocked = await eventually(async () => find(/STATUS=test: blocking/), 'block announced', 15_000);
    const unblocked = await eventually(
      async () => find(/STATUS=test: event loop unblocked/),
      'unblocked',
      30_000,
    );
    expect(unblocked.at - blocked.at).toBeGreaterThanOrEqual((BLOCK_MS / 1000) * 0.95);
    const during = pings().filter((p) => p.at > blocked.at && p.at < unblocked.at);
    expect(during).toEqual([]);
    await eventually(
      async () => (pings().filter((p) => p.at > unblocked.at).length >= 3 ? true : undefined),
      'pings after the block',
    );
  }, 60_000);

  it('sends STOPPING=1 on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((r) => gateway.once('exit', (code) => r(code)));
    gateway.kill('SIGTERM');
    await eventually(async () => find(/STOPPING=1/), 'STOPPING=1');
    expect(await exited).toBe(0);
  }, 30_000);
});
