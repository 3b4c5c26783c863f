import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePeer, freePort } from './peers.js';
import { stopProcess, waitUntilReady } from './process.js';

/**
 * A real InfluxDB 1.x (Debian's `influxd`) in a temp dir: meta/data/wal under it, HTTP and the RPC
 * bind-address on free 127.0.0.1 ports, reporting and self-monitoring off. `stop()`/`start()` keep the data
 * dir and ports, so a restart mid-test comes back with what was written.
 */
export class Influxd {
  readonly dir = mkdtempSync(join(tmpdir(), 'sg-influxd-'));
  port = 0;
  rpcPort = 0;
  private proc: ChildProcess | null = null;
  private output = '';

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private writeConfig(): string {
    const file = join(this.dir, 'influxdb.conf');
    writeFileSync(
      file,
      `reporting-disabled = true
bind-address = "127.0.0.1:${this.rpcPort}"

[meta]
  dir = "${this.dir}/meta"

[data]
  dir = "${this.dir}/data"
  wal-dir = "${this.dir}/wal"
  query-log-enabled = false

[coordinator]
  log-queries-after = "0s"

[http]
  enabled = true
  bind-address = "127.0.0.1:${this.port}"
  log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  log-enabled = false

[logging]
  level = "warn"
`,
    );
    return file;
  }

  async start(): Promise<this> {
    if (this.proc) return this;
    const bin = ensurePeer('influxd');
    if (this.port === 0) this.port = await freePort();
    if (this.rpcPort === 0) this.rpcPort = await freePort();
    const proc = spawn(bin, ['run', '-config', this.writeConfig()], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    this.proc = proc;
    await waitUntilReady(
      'influxd',
      proc,
      () => this.ping(),
      () => this.output,
      30_000,
      100,
    );
    return this;
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    await stopProcess(proc, signal);
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(1_000) });
      return res.status === 204;
    } catch {
      return false;
    }
  }

  /** Run an InfluxQL query over HTTP (epoch ms timestamps); returns the first result's series. POST for DDL. */
  async query(
    db: string,
    q: string,
    method: 'GET' | 'POST' = 'GET',
  ): Promise<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]> {
    const url = `${this.url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`;
    const res = await fetch(url, { method });
    const body = (await res.json()) as { results: { series?: never[]; error?: string }[] };
    const first = body.results[0]!;
    if (first.error) throw new Error(first.error);
    return first.series ?? [];
  }

  logs(): string {
    return this.output;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startInfluxd(): Promise<Influxd> {
  return new Influxd().start();
}
