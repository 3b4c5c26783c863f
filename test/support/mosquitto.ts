import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePeer, freePort } from './peers.js';
import { sleep, stopProcess, waitUntilReady } from './process.js';

export { sleep };

export interface MosquittoTls {
  /** Port of the TLS listener (a plain listener is always there too, for the test's own cloud client). */
  port?: number;
  cafile: string;
  certfile: string;
  keyfile: string;
  requireCertificate?: boolean;
}

export interface MosquittoOptions {
  tls?: MosquittoTls;
  /** Keep queued QoS 1 messages for persistent sessions across a graceful restart (default true). */
  persistence?: boolean;
  /** Require this username/password (a password file made with mosquitto_passwd); anonymous refused. */
  auth?: { username: string; password: string };
  extraConfig?: string;
}

/**
 * A real Mosquitto as the stand-in cloud broker: own temp dir and config, free ports on 127.0.0.1,
 * `start`/`stop`/`restart` that wait until the port accepts (or refuses) connections.
 */
export class Mosquitto {
  readonly dir = mkdtempSync(join(tmpdir(), 'sg-mosquitto-'));
  port = 0;
  tlsPort = 0;
  private proc: ChildProcess | null = null;
  private output = '';

  constructor(private readonly options: MosquittoOptions = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get tlsUrl(): string {
    return `mqtts://127.0.0.1:${this.tlsPort}`;
  }

  private writeConfig(): string {
    const lines = [
      // As root, Mosquitto drops to user `mosquitto`, which cannot write our 0700 temp dir (persistence).
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'per_listener_settings false',
      `allow_anonymous ${this.options.auth ? 'false' : 'true'}`,
      `persistence ${this.options.persistence === false ? 'false' : 'true'}`,
      `persistence_location ${this.dir}/`,
      'log_dest stdout',
      'log_type error',
      'log_type warning',
      `listener ${this.port} 127.0.0.1`,
      'max_queued_messages 0',
    ];
    const tls = this.options.tls;
    if (tls) {
      lines.push(
        `listener ${this.tlsPort} 127.0.0.1`,
        `cafile ${tls.cafile}`,
        `certfile ${tls.certfile}`,
        `keyfile ${tls.keyfile}`,
        `require_certificate ${tls.requireCertificate === false ? 'false' : 'true'}`,
      );
    }
    if (this.options.auth) {
      const file = join(this.dir, 'passwd');
      const { username, password } = this.options.auth;
      execFileSync('mosquitto_passwd', ['-b', '-c', file, username, password]);
      lines.push(`password_file ${file}`);
    }
    if (this.options.extraConfig) lines.push(this.options.extraConfig);
    const file = join(this.dir, 'mosquitto.conf');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  async start(): Promise<this> {
    if (this.proc) return this;
    const bin = ensurePeer('mosquitto');
    if (this.port === 0) this.port = await freePort();
    if (this.options.tls && this.tlsPort === 0) this.tlsPort = this.options.tls.port ?? (await freePort());
    const conf = this.writeConfig();
    const proc = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.proc = proc;
    await waitUntilReady(
      'mosquitto',
      proc,
      () => accepts(this.port),
      () => this.output,
      10_000,
    );
    return this;
  }

  /** Stop: SIGTERM (mosquitto saves its persistence file) or SIGKILL (nothing saved). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    await stopProcess(proc, signal);
    while (await accepts(this.port)) await sleep(20);
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  logs(): string {
    return this.output;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  return new Mosquitto(options).start();
}
