import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePeer, freePort } from './peers.js';
import { waitUntilReady } from './process.js';

/**
 * A real RabbitMQ with its MQTT plugin as a stand-in cloud broker (Debian `rabbitmq-server`, 3.10: MQTT 3.1.1
 * only). Everything of its own — node name, Erlang cookie (HOME), mnesia, logs, epmd and distribution ports,
 * AMQP and MQTT listeners — lives in a temp dir and on free ports, so it never meets a system RabbitMQ.
 * Anonymous MQTT logins map to guest, which may log in from anywhere here.
 */
export class RabbitMq {
  readonly dir = mkdtempSync(join(tmpdir(), 'sg-rabbitmq-'));
  mqttPort = 0;
  private proc: ChildProcess | null = null;
  private output = '';
  private env: NodeJS.ProcessEnv = {};

  get url(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  async start(): Promise<this> {
    const bin = ensurePeer('rabbitmq');
    const [mqttPort, amqpPort, distPort, epmdPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    this.mqttPort = mqttPort;
    writeFileSync(join(this.dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n');
    writeFileSync(
      join(this.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
        `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
        'mqtt.allow_anonymous = true',
        'loopback_users = none',
        'log.console = true',
        'log.console.level = warning',
        'log.file = false',
        '',
      ].join('\n'),
    );
    const name = `sgtest${process.pid}${Math.floor(Math.random() * 1e6)}`;
    this.env = {
      ...process.env,
      HOME: this.dir,
      RABBITMQ_NODENAME: `${name}@localhost`,
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PLUGINS_EXPAND_DIR: join(this.dir, 'plugins-expand'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq'),
      RABBITMQ_PID_FILE: join(this.dir, 'pid'),
      RABBITMQ_DIST_PORT: String(distPort),
      ERL_EPMD_PORT: String(epmdPort),
    };
    // Its own process group: the script starts beam.smp as a child, which must go with it (see dispose).
    const proc = spawn(bin, [], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    proc.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.proc = proc;
    // Erlang boots slowly on a loaded machine (~30 s seen on 2 shared cores).
    await waitUntilReady(
      'rabbitmq-server',
      proc,
      () => accepts(mqttPort),
      () => this.output,
      120_000,
      250,
    );
    return this;
  }

  logs(): string {
    return this.output;
  }

  async dispose(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc?.pid !== undefined && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
    // The node started its own epmd on ERL_EPMD_PORT; ask it to go (it has no other users).
    if (this.env.ERL_EPMD_PORT) {
      await new Promise<void>((resolve) => {
        const kill = spawn('epmd', ['-kill'], { env: this.env, stdio: 'ignore' });
        kill.once('exit', () => resolve());
        kill.once('error', () => resolve());
      });
    }
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

export async function startRabbitMq(): Promise<RabbitMq> {
  return new RabbitMq().start();
}
