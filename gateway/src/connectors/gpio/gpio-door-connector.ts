import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { Reading } from '../../../../shared/src/readings.js';
import type { DeviceStats } from '../../ports/device-stats.js';
import type { Feature } from '../../ports/feature.js';
import type { ReadingIngest } from '../../ports/pipeline.js';
import type { GpioLine, GpioPort, GpioWatch } from './gpio-port.js';

export interface GpioDoor {
  id: string;
  chip: string;
  pinA: number;
  pinB: number;
  activeLow: boolean;
}

const RETRY_MS = 5_000;

/**
 * Turns the two beam lines of each GPIO door into `door.beam` readings (logical 1 = beam broken). A watch that
 * fails or dies is retried every few seconds; the door is reported disconnected meanwhile.
 */
export class GpioDoorConnector implements Feature {
  readonly name = 'gpio-doors';
  private readonly watches = new Map<string, GpioWatch>();
  private readonly retries = new Map<string, TimerHandle>();
  private running = false;
  /** A line that stays unavailable is retried every few seconds: log the first failures, then a summary. */
  private readonly throttle = createLogThrottle({
    burst: 3,
    windowMs: 10 * 60_000,
    now: () => this.deps.clock.now(),
  });

  constructor(
    private readonly gpio: GpioPort,
    private readonly doors: readonly GpioDoor[],
    private readonly deps: { ingest: ReadingIngest; clock: Clock; logger: Logger; deviceStats?: DeviceStats },
  ) {}

  async start(): Promise<void> {
    this.running = true;
    for (const door of this.doors) {
      for (const beam of ['a', 'b'] as const) await this.watch(door, beam);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const handle of this.retries.values()) this.deps.clock.clearTimeout(handle);
    this.retries.clear();
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
    this.watches.clear();
    await this.gpio.close();
  }

  private async watch(door: GpioDoor, beam: 'a' | 'b'): Promise<void> {
    const key = `${door.id}/${beam}`;
    const line: GpioLine = {
      chip: door.chip,
      line: beam === 'a' ? door.pinA : door.pinB,
      activeLow: door.activeLow,
    };
    try {
      const w = await this.gpio.watch(line, {
        onEdge: (value, t) => this.emit(door.id, beam, value === 1, t),
        onError: (err) => {
          this.watches.delete(key);
          this.deps.deviceStats?.connection(door.id, false);
          const { log, suppressed } = this.throttle.allow(key);
          if (log)
            this.deps.logger.warn({ err, door: door.id, beam, suppressed }, 'GPIO watch died; retrying');
          this.scheduleRetry(door, beam);
        },
      });
      if (!this.running) {
        await w.stop();
        return;
      }
      this.watches.set(key, w);
      this.deps.deviceStats?.connection(door.id, true);
      // Report the level found at start so a beam already blocked is known (and can raise its alarm).
      if (w.initial === 1) this.emit(door.id, beam, true, this.deps.clock.now());
    } catch (err) {
      this.deps.deviceStats?.connection(door.id, false);
      const { log, suppressed } = this.throttle.allow(key);
      if (log)
        this.deps.logger.error(
          { err, door: door.id, beam, line, suppressed },
          'cannot watch GPIO line; retrying',
        );
      this.scheduleRetry(door, beam);
    }
  }

  private scheduleRetry(door: GpioDoor, beam: 'a' | 'b'): void {
    if (!this.running) return;
    const key = `${door.id}/${beam}`;
    this.retries.set(
      key,
      this.deps.clock.setTimeout(() => {
        this.retries.delete(key);
        void this.watch(door, beam);
      }, RETRY_MS),
    );
  }

  private emit(deviceId: string, beam: 'a' | 'b', blocked: boolean, t: number): void {
    const reading: Reading = {
      type: 'door.beam',
      beam,
      blocked,
      deviceId,
      deviceTime: t,
      receivedAt: this.deps.clock.now(),
      quality: 'good',
      source: 'gpio',
    };
    this.deps.deviceStats?.accepted(deviceId, reading.receivedAt);
    this.deps.ingest.ingest(reading).catch((err) => {
      const { log, suppressed } = this.throttle.allow(`ingest:${deviceId}`);
      if (log) this.deps.logger.error({ err, door: deviceId, suppressed }, 'beam reading not stored');
    });
  }
}
