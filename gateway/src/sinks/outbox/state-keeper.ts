import { type Clock, systemClock, type TimerHandle } from '../../../../shared/src/clock.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { Outbox } from './outbox.js';
import { writeStateFile } from './state-file.js';

/** The state file is rewritten at most this often (plus once at open and once at close). */
export const STATE_FILE_INTERVAL_MS = 5_000;

/**
 * Keeps `outbox.state.json` in step with the outbox: written at once on open (so a lost outbox is never
 * taken for a first start), then at most every 5 s after commits that assigned seqs, and on close. A seq
 * assigned in the last few seconds before a loss may be missing from it; the loss event says so ("last
 * known"), and the cloud's own view of the old epoch covers the rest.
 */
export class StateKeeper {
  private lastWrite = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | null = null;
  /** Throttles a file write: real time (unref'd), whatever `clock` is. */
  private readonly io = systemClock();
  private readonly throttle = createLogThrottle({ burst: 1 });

  constructor(
    private readonly path: string,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    outbox.onCommit(() => this.changed());
    outbox.onClose(() => this.stop());
  }

  changed(): void {
    if (this.timer) return;
    const wait = this.lastWrite + STATE_FILE_INTERVAL_MS - this.clock.monotonic();
    if (wait <= 0) {
      this.write();
      return;
    }
    this.timer = this.io.setTimeout(() => {
      this.timer = null;
      this.write();
    }, wait);
  }

  write(): void {
    const state = this.outbox.state;
    try {
      writeStateFile(this.path, {
        format: 1,
        epoch: state.epoch,
        epoch_started_at: Number(state.meta.get('epoch_started_at') ?? 0),
        saved_at: this.clock.now(),
        must_deliver: state.totals.must_deliver.count,
        telemetry: state.totals.telemetry.count,
        streams: Object.fromEntries(state.streamSeqs()),
      });
      this.lastWrite = this.clock.monotonic();
    } catch (err) {
      // A full disk: the database is what must be right; the copy is written again after the next commit.
      if (this.throttle.allow('write').log)
        this.logger?.warn({ err, path: this.path }, 'outbox state file not written');
    }
  }

  private stop(): void {
    if (this.timer) this.io.clearTimeout(this.timer);
    this.timer = null;
    this.write();
  }
}
