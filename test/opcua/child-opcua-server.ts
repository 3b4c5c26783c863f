import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { stopProcess } from '../support/process.js';

const script = join(import.meta.dirname, 'fixtures', 'opcua-server-child.mjs');

/** A node-opcua server in a child process (fixtures/opcua-server-child.mjs) that a test can freeze and thaw. */
export class ChildOpcuaServer {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static async start(port: number, pkiDir: string, initialTemp: number): Promise<ChildOpcuaServer> {
    const proc = fork(script, [String(port), pkiDir, String(initialTemp)], { stdio: 'pipe' });
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child OPC UA server not ready: ${output}`)), 30_000);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`child OPC UA server exited (${code}): ${output}`));
      });
      proc.on('message', (m: { ready?: boolean }) => {
        if (!m.ready) return;
        clearTimeout(timer);
        resolve();
      });
    });
    return new ChildOpcuaServer(proc, port);
  }

  get url(): string {
    return `opc.tcp://127.0.0.1:${this.port}`;
  }

  /** SIGSTOP: the kernel still accepts connections and buffers requests; nothing answers. */
  freeze(): void {
    this.proc.kill('SIGSTOP');
  }

  thaw(): void {
    this.proc.kill('SIGCONT');
  }

  setTemp(value: number): void {
    this.proc.send({ setTemp: value });
  }

  /** Requests the server has received (ask only while it runs). */
  requests(): Promise<number> {
    return new Promise((resolve) => {
      const onMessage = (m: { requests?: number }) => {
        if (m.requests === undefined) return;
        this.proc.off('message', onMessage);
        resolve(m.requests);
      };
      this.proc.on('message', onMessage);
      this.proc.send({ requests: true });
    });
  }

  async stop(): Promise<void> {
    this.thaw();
    await stopProcess(this.proc);
  }
}
