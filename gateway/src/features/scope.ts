import type { EventEmitter } from 'node:events';
import type { Metric, Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';

type Undo = () => void | Promise<void>;

/**
 * What a feature acquired in `start()`, undone in reverse order by `release()` in `stop()`. Because every
 * acquisition registers its undo as it happens, a `start()` that fails half way is undone exactly as far as it
 * got, and `stop()` after a failed or repeated start is safe.
 */
export class FeatureScope {
  private readonly undo: Undo[] = [];

  constructor(private readonly logger: Logger) {}

  /** Register an undo for something acquired outside the helpers below. */
  defer(undo: Undo): void {
    this.undo.push(undo);
  }

  /** Keep `value` (a store, a connection…) and close it on release. */
  own<T extends { close(): void | Promise<void> }>(value: T): T {
    this.defer(() => value.close());
    return value;
  }

  /** `emitter.on(event, listener)` until release. */
  listen<E extends Record<keyof E, unknown[]>, K extends keyof E & string>(
    emitter: EventEmitter<E>,
    event: K,
    listener: (...args: E[K]) => void,
  ): void {
    // EventEmitter's generic overloads do not narrow here; the types above keep callers honest.
    const e = emitter as unknown as EventEmitter;
    e.on(event, listener as (...args: unknown[]) => void);
    this.defer(() => void e.off(event, listener as (...args: unknown[]) => void));
  }

  /**
   * A metric created with `registers: [registry]`, removed from it on release (prom-client refuses a second
   * metric of the same name, so a feature started again must not find the old one).
   */
  metric<M extends Metric>(registry: Registry, metric: M): M {
    this.defer(() => registry.removeSingleMetric((metric as unknown as { name: string }).name));
    return metric;
  }

  /** Run `fn` every `intervalMs` on the clock until release; a throwing `fn` is logged and the loop goes on. */
  every(clock: Clock, intervalMs: number, fn: () => void | Promise<void>, what: string): void {
    let timer: TimerHandle | null = null;
    let running = true;
    const loop = () => {
      timer = clock.setTimeout(async () => {
        try {
          await fn();
        } catch (err) {
          this.logger.error({ err }, `${what} failed`);
        }
        if (running) loop();
      }, intervalMs);
    };
    loop();
    this.defer(() => {
      running = false;
      if (timer) clock.clearTimeout(timer);
    });
  }

  /** Undo everything, newest first. Errors are logged; every undo still runs. */
  async release(): Promise<void> {
    while (this.undo.length > 0) {
      const undo = this.undo.pop()!;
      try {
        await undo();
      } catch (err) {
        this.logger.error({ err }, 'feature cleanup step failed');
      }
    }
  }
}
