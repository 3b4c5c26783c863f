import type { Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../../../shared/src/clock.js';
import type { Notifier } from './sd-notify.js';

export interface SupervisionDeps {
  clock: Clock;
  /** The running gateway's metrics (a config.apply restart builds a new registry). */
  metrics: () => Registry;
  /** What /healthz lists as problems (features down, …). */
  problems: () => Record<string, string>;
}

const STATUS_INTERVAL_MS = 10_000;

/**
 * What `Type=notify` + `WatchdogSec=` expect of the gateway: `READY=1` once the features have started, a
 * `WATCHDOG=1` ping from a timer on the event loop (a loop blocked longer than WatchdogSec sends none, and
 * systemd kills and restarts the process), a `STATUS=` line for `systemctl status`, `STOPPING=1` on shutdown.
 */
export class SystemdSupervision {
  private watchdogTimer: TimerHandle | null = null;
  private statusTimer: TimerHandle | null = null;
  private lastStatus = '';

  constructor(
    private readonly notifier: Notifier,
    private readonly deps: SupervisionDeps,
  ) {}

  /** Start pinging now: systemd arms the watchdog once READY=1 arrives, pings before that are harmless. */
  startWatchdog(): void {
    const interval = this.notifier.watchdogIntervalMs;
    if (interval === null) return;
    const ping = () => {
      this.notifier.send({ WATCHDOG: 1 });
      this.watchdogTimer = this.deps.clock.setTimeout(ping, interval);
    };
    ping();
  }

  async ready(): Promise<void> {
    if (!this.notifier.enabled) return;
    const status = await this.statusLine();
    this.lastStatus = status;
    this.notifier.send({ READY: 1, STATUS: status });
    const refresh = async () => {
      const line = await this.statusLine();
      if (line !== this.lastStatus) this.notifier.send({ STATUS: line });
      this.lastStatus = line;
      this.statusTimer = this.deps.clock.setTimeout(() => void refresh(), STATUS_INTERVAL_MS);
    };
    this.statusTimer = this.deps.clock.setTimeout(() => void refresh(), STATUS_INTERVAL_MS);
  }

  /** `STOPPING=1` at the start of a graceful stop; watchdog pings go on until the process exits. */
  stopping(reason: string): void {
    if (this.statusTimer) this.deps.clock.clearTimeout(this.statusTimer);
    this.statusTimer = null;
    this.notifier.send({ STOPPING: 1, STATUS: `stopping (${reason})` });
  }

  close(): void {
    if (this.watchdogTimer) this.deps.clock.clearTimeout(this.watchdogTimer);
    if (this.statusTimer) this.deps.clock.clearTimeout(this.statusTimer);
    this.watchdogTimer = this.statusTimer = null;
    this.notifier.close();
  }

  /** e.g. `12 devices online, 1 offline, outbox 0 queued, cloud connected`. */
  async statusLine(): Promise<string> {
    const online = await this.sum('storegate_devices_online');
    const offline = await this.sum('storegate_devices_offline');
    const depth = await this.sum('storegate_outbox_depth');
    const cloud = await this.sum('storegate_uplink_connected');
    const parts = [`${online ?? 0} devices online`];
    if (offline) parts.push(`${offline} offline`);
    if (depth !== null) parts.push(`outbox ${depth} queued`);
    if (cloud !== null) parts.push(cloud > 0 ? 'cloud connected' : 'cloud offline');
    const problems = Object.keys(this.deps.problems());
    if (problems.length > 0) parts.push(`degraded: ${problems.join(', ')}`);
    return parts.join(', ');
  }

  private async sum(name: string): Promise<number | null> {
    const metric = this.deps.metrics().getSingleMetric(name);
    if (!metric) return null;
    try {
      const { values } = await metric.get();
      return values.reduce((n, v) => n + v.value, 0);
    } catch {
      return null;
    }
  }
}
