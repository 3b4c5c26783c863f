import type { Clock } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import {
  type GpioLine,
  type GpioPort,
  type GpioValue,
  type GpioWatch,
  lineName,
  type WatchOptions,
} from './gpio-port.js';

interface Watcher {
  line: GpioLine;
  options: WatchOptions;
  active: boolean;
}

/**
 * In-memory GPIO with test controls: `setPhysical` drives an input as the hardware would (raw level, before
 * active-low), `fail` makes the next request of a line reject or a running watch die.
 */
export class FakeGpio implements GpioPort {
  readonly driver = 'fake' as const;
  private readonly physical = new Map<string, GpioValue>();
  private readonly watchers = new Set<Watcher>();
  private readonly unavailable = new Set<string>();
  readonly writes: { line: string; value: GpioValue }[] = [];
  private closed = false;

  constructor(private readonly clock: Clock) {}

  async watch(line: GpioLine, options: WatchOptions): Promise<GpioWatch> {
    this.assertUsable(line);
    const w: Watcher = { line, options, active: true };
    this.watchers.add(w);
    return {
      initial: this.logical(line),
      stop: async () => {
        w.active = false;
        this.watchers.delete(w);
      },
    };
  }

  async read(line: GpioLine): Promise<GpioValue> {
    this.assertUsable(line);
    return this.logical(line);
  }

  async write(line: GpioLine, value: GpioValue): Promise<void> {
    this.assertUsable(line);
    this.physical.set(lineName(line), (line.activeLow ? 1 - value : value) as GpioValue);
    this.writes.push({ line: lineName(line), value });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watchers) w.active = false;
    this.watchers.clear();
  }

  // --- test controls ---

  /** Set the raw electrical level of a line; watchers get an edge (logical value) if it changed. */
  setPhysical(chip: string, line: number, value: GpioValue, t = this.clock.now()): void {
    const key = `${chip}:${line}`;
    const before = this.physical.get(key) ?? 0;
    this.physical.set(key, value);
    if (before === value) return;
    for (const w of [...this.watchers]) {
      if (!w.active || lineName(w.line) !== key) continue;
      w.options.onEdge(this.logical(w.line), t);
    }
  }

  /** Requests of this line reject from now on (line busy / missing chip). */
  makeUnavailable(chip: string, line: number): void {
    this.unavailable.add(`${chip}:${line}`);
  }

  /** A running watch on this line dies (as when gpiomon exits): onError once, then silence. */
  killWatch(chip: string, line: number, reason = 'watch died'): void {
    for (const w of [...this.watchers]) {
      if (lineName(w.line) !== `${chip}:${line}`) continue;
      w.active = false;
      this.watchers.delete(w);
      w.options.onError?.(new StoregateError('SG_IO', `${chip}:${line}: ${reason}`));
    }
  }

  activeWatches(): number {
    return this.watchers.size;
  }

  private logical(line: GpioLine): GpioValue {
    const raw = this.physical.get(lineName(line)) ?? 0;
    return (line.activeLow ? 1 - raw : raw) as GpioValue;
  }

  private assertUsable(line: GpioLine): void {
    if (this.closed) throw new StoregateError('SG_NOT_READY', 'GPIO port is closed');
    if (this.unavailable.has(lineName(line))) {
      throw new StoregateError('SG_IO', `cannot request ${lineName(line)}: line busy or missing`);
    }
  }
}
