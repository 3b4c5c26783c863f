import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceControl } from '../../gateway/src/deploy/service-control.js';

/**
 * The test's stand-in for systemd: starts `storegate start` of whatever `<root>/opt/storegate/current` points at
 * (resolved at each start, like systemd's ExecStart through the symlink) as a child process, stops it with
 * SIGTERM and reports when it exited on its own. Output is kept for failure messages.
 */
export class ProcessService implements ServiceControl {
  private child: ChildProcess | null = null;
  private exitedOnItsOwn = false;
  readonly output: string[] = [];
  readonly starts: string[] = [];

  constructor(
    private readonly root: string,
    private readonly configFile: string,
  ) {}

  async start(): Promise<void> {
    const release = realpathSync(join(this.root, 'opt/storegate/current'));
    this.starts.push(release);
    this.exitedOnItsOwn = false;
    const child = spawn(
      process.execPath,
      [join(release, 'dist/gateway/src/cli/bin.js'), '--config', this.configFile, 'start'],
      { cwd: release, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 400) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      if (this.child === child) this.exitedOnItsOwn = true;
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  }

  async exited(): Promise<boolean> {
    return this.exitedOnItsOwn;
  }

  async disable(): Promise<void> {}
}
