import { topics } from '../../../../shared/src/device-contract.js';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { LaneState } from '../../processors/checkout/lane-types.js';

/**
 * Where lane display states go. Guarantee: `publish` never throws and never blocks the pipeline; only the latest
 * state of a lane matters, so a burst of changes may be coalesced into the last one.
 */
export interface LaneStatePublisher {
  publish(state: LaneState): void;
  /** Deliver what is still queued (stop). */
  flush(): Promise<void>;
}

/** Test fake: remembers every state and the latest per lane. */
export class MemoryLaneStatePublisher implements LaneStatePublisher {
  readonly published: LaneState[] = [];
  readonly latest = new Map<string, LaneState>();
  publish(state: LaneState): void {
    this.published.push(state);
    this.latest.set(state.lane, state);
  }
  async flush(): Promise<void> {}
}

export interface InternalPublish {
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
}

/**
 * Publishes retained on the embedded broker (`lanes/{id}/state`), so a display that (re)connects gets the
 * current state at once. Coalesces per lane: at most one publish in flight per lane, then the newest state.
 * A failed publish (broker not started yet) keeps the state queued for the next change or flush.
 */
export class BrokerLaneStatePublisher implements LaneStatePublisher {
  private readonly queued = new Map<string, LaneState>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly gate = createLogThrottle();

  constructor(
    private readonly broker: InternalPublish,
    private readonly logger: Logger,
  ) {}

  publish(state: LaneState): void {
    this.queued.set(state.lane, state);
    if (!this.inFlight.has(state.lane)) this.send(state.lane);
  }

  async flush(): Promise<void> {
    for (const lane of this.queued.keys()) if (!this.inFlight.has(lane)) this.send(lane);
    await Promise.all(this.inFlight.values());
  }

  private send(lane: string): void {
    const state = this.queued.get(lane);
    if (!state) return;
    this.queued.delete(lane);
    const done = this.broker
      .publish(topics.laneState(lane), JSON.stringify(state), { qos: 1, retain: true })
      .catch((err: unknown) => {
        if (!this.queued.has(lane)) this.queued.set(lane, state);
        if (this.gate.allow(`lane-state:${lane}`).log)
          this.logger.warn({ err, lane }, 'lane state not published to the local broker');
      })
      .finally(() => {
        this.inFlight.delete(lane);
        // Only chase a newer state; a failed one waits for the next change (no hot retry loop).
        const next = this.queued.get(lane);
        if (next && next !== state) this.send(lane);
      });
    this.inFlight.set(lane, done);
  }
}
