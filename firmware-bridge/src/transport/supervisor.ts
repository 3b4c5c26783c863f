import { EventEmitter } from 'node:events';
import { Backoff } from '../../../shared/src/backoff.js';
import type { Clock, TimerHandle } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { DeviceIdentity, DriverReading, SerialDriver } from '../drivers/driver.js';
import type { PortOpener, SerialLink } from './port.js';
import { type PortLister, resolveBinding, type UsbMatch } from './port-lister.js';

export type Binding = { path: string } | { match: UsbMatch };
export type LinkState = 'connecting' | 'online' | 'offline' | 'stopped';

export interface SupervisorOptions {
  id: string;
  binding: Binding;
  baudRate: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** No sensible bytes for this long while online → the link is considered dead and reopened (0: never). */
  silenceMs?: number;
  /**
   * While online, re-resolve the binding this often; gone or now pointing elsewhere = unplugged. Needed
   * because serialport can miss a hang-up that happens just as reading starts (seen on PTYs).
   */
  presenceCheckMs?: number;
}

export interface SupervisorDeps {
  opener: PortOpener;
  lister: PortLister;
  clock: Clock;
  logger: Logger;
  createDriver(): SerialDriver;
}

export interface SupervisorEvents {
  state: [state: LinkState, detail: string];
  online: [identity: DeviceIdentity];
  reading: [reading: DriverReading];
  reject: [reason: string, detail: string];
}

/**
 * Keeps one serial device connected for as long as it runs: resolves the stable binding afresh on every
 * attempt (by-id path or USB id), opens, identifies, and on unplug, read error, identify failure or silence
 * closes everything and retries with capped exponential backoff. It never throws to its owner.
 */
export class PortSupervisor extends EventEmitter<SupervisorEvents> {
  state: LinkState = 'offline';
  driver: SerialDriver | null = null;
  identity: DeviceIdentity | null = null;
  reconnects = 0;
  private link: SerialLink | null = null;
  private watchdog: TimerHandle | null = null;
  private presenceTimer: TimerHandle | null = null;
  /** Failures since the device was last online for more than 5 s: 250 ms doubling to 10 s by default. */
  private readonly backoff: Backoff;
  private onlineSince = 0;
  private generation = 0;

  constructor(
    readonly opts: SupervisorOptions,
    private readonly deps: SupervisorDeps,
  ) {
    super();
    this.backoff = new Backoff(deps.clock, {
      initialMs: opts.backoffInitialMs ?? 250,
      maxMs: opts.backoffMaxMs ?? 10_000,
    });
  }

  start(): void {
    if (this.state !== 'offline' && this.state !== 'stopped') return;
    this.state = 'offline';
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.generation++;
    this.setState('stopped', 'stopped');
    this.backoff.cancel();
    await this.teardown();
  }

  private setState(state: LinkState, detail: string): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state, detail);
  }

  private async attempt(): Promise<void> {
    const gen = ++this.generation;
    this.setState('connecting', 'opening');
    let path = '';
    try {
      path = await resolveBinding(this.opts.binding, this.deps.lister);
      const link = await this.deps.opener.open(path, this.opts.baudRate);
      if (gen !== this.generation) return void link.close();
      this.link = link;
      const driver = this.deps.createDriver();
      this.driver = driver;
      driver.on('reading', (r) => this.emit('reading', r));
      driver.on('reject', (reason, detail) => this.emit('reject', reason, detail));
      link.once('close', () => this.lost(gen, 'port closed (unplugged?)'));
      link.on('error', (err) => this.lost(gen, `port error: ${err.message}`));
      const identity = await driver.start(link);
      if (gen !== this.generation) return;
      this.identity = identity;
      this.onlineSince = this.deps.clock.now();
      this.setState('online', path);
      this.emit('online', identity);
      this.deps.logger.info({ device: this.opts.id, path, identity }, 'serial device online');
      this.armWatchdog(gen);
      this.armPresenceCheck(gen, path);
    } catch (err) {
      if (gen !== this.generation) return;
      await this.fail(gen, `${path ? `${path}: ` : ''}${(err as Error).message}`);
    }
  }

  private lost(gen: number, reason: string): void {
    if (gen !== this.generation || this.state === 'stopped') return;
    void this.fail(gen, reason);
  }

  private async fail(gen: number, reason: string): Promise<void> {
    if (gen !== this.generation) return;
    this.generation++;
    const wasOnline = this.state === 'online';
    if (wasOnline && this.deps.clock.now() - this.onlineSince > 5_000) this.backoff.reset();
    await this.teardown();
    const delay = this.backoff.schedule(() => {
      this.reconnects++;
      void this.attempt();
    });
    this.setState('offline', reason);
    const log = { device: this.opts.id, reason, retryInMs: delay };
    if (wasOnline || this.backoff.attempts === 1) this.deps.logger.warn(log, 'serial device offline');
    else this.deps.logger.debug(log, 'serial device still offline');
  }

  private armPresenceCheck(gen: number, path: string): void {
    const every = this.opts.presenceCheckMs ?? 2_000;
    if (every <= 0) return;
    const check = async () => {
      this.presenceTimer = null;
      if (gen !== this.generation) return;
      const now = await resolveBinding(this.opts.binding, this.deps.lister).catch(() => null);
      if (gen !== this.generation) return;
      if (now !== path)
        return void this.fail(gen, now === null ? `${path} disappeared` : `binding now resolves to ${now}`);
      this.presenceTimer = this.deps.clock.setTimeout(() => void check(), every);
    };
    this.presenceTimer = this.deps.clock.setTimeout(() => void check(), every);
  }

  private armWatchdog(gen: number): void {
    const silenceMs = this.opts.silenceMs ?? 15_000;
    if (silenceMs <= 0) return; // e.g. a barcode scanner: silence is normal
    const check = () => {
      this.watchdog = null;
      if (gen !== this.generation || !this.driver) return;
      const quietFor = this.deps.clock.now() - this.driver.lastActivityAt;
      if (silenceMs > 0 && quietFor > silenceMs) return void this.fail(gen, `silent for ${quietFor} ms`);
      this.watchdog = this.deps.clock.setTimeout(check, Math.max(100, silenceMs / 3));
    };
    this.watchdog = this.deps.clock.setTimeout(check, Math.max(100, silenceMs / 3));
  }

  private async teardown(): Promise<void> {
    if (this.watchdog) this.deps.clock.clearTimeout(this.watchdog);
    this.watchdog = null;
    if (this.presenceTimer) this.deps.clock.clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    this.driver?.stop();
    this.driver?.removeAllListeners();
    this.driver = null;
    const link = this.link;
    this.link = null;
    if (link?.isOpen) await new Promise<void>((resolve) => link.close(() => resolve()));
  }
}
