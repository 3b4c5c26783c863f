import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensurePeer } from './peers.js';

/**
 * A real pseudo-terminal pair made by socat, reachable through two stable symlinks (like /dev/serial/by-id
 * links). `unplug()` kills socat, which removes both links and hangs up whoever has them open; `replug()`
 * starts a new socat on the same link paths (new /dev/pts numbers, like a USB device renumbering).
 */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  close(): Promise<void>;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function createPtyPair(a: string, b: string): Promise<PtyPair> {
  const socat = ensurePeer('socat');
  let child: ChildProcess | null = null;
  let stderr = '';

  const start = async () => {
    stderr = '';
    child = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<void>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`socat exited early (${code}): ${stderr}`))),
    );
    exited.catch(() => {});
    // socat logs "starting data transfer loop" once both ends exist
    await Promise.race([
      waitFor(
        () => /starting data transfer loop/.test(stderr) && existsSync(a) && existsSync(b),
        'socat PTY links',
      ),
      exited,
    ]);
  };

  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
    await waitFor(() => !existsSync(a) && !existsSync(b), 'socat links removed', 2_000).catch(() => {});
  };

  await start();
  return { a, b, unplug: stop, replug: start, close: stop };
}
