import type { StoreEvent } from '../core/events.js';
import type { Reading, ReadingType } from '../core/readings.js';

/**
 * A processor is pure domain logic: a deterministic function of the readings it is fed and the clock
 * it was built with. It never does I/O; what it derives it returns as events.
 */
export interface Processor {
  readonly name: string;
  /** Reading types this processor wants; the pipeline routes only these to it. */
  readonly handles: readonly ReadingType[];
  process(reading: Reading): StoreEvent[];
  /**
   * Called on the pipeline's tick (live: every second; replay: as virtual time advances) so time-based
   * outcomes (timeouts, minute rollups, silence detection) happen even when no reading arrives.
   */
  tick?(now: number): StoreEvent[];
}

/** Where connectors hand readings. The returned promise settles once derived must-deliver events are durable. */
export interface ReadingIngest {
  ingest(reading: Reading): Promise<void>;
}

/**
 * Where processors' events go: the durable outbox in the gateway, an array in tests.
 * Guarantee: when `append` resolves, every `must_deliver` event in the batch survives a crash or power loss.
 * `append` never partially accepts a batch: it resolves for all of it or rejects for all of it.
 */
export interface EventSink {
  append(events: readonly StoreEvent[]): Promise<void>;
}

/** In-memory EventSink for tests and replay. */
export class MemoryEventSink implements EventSink {
  readonly events: StoreEvent[] = [];
  async append(events: readonly StoreEvent[]): Promise<void> {
    this.events.push(...events);
  }
}
