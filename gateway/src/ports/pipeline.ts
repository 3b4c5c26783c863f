import type { Reading, ReadingType } from '../../../shared/src/readings.js';
import { StoregateError } from '../core/errors.js';
import { deriveEventId } from '../core/event-ids.js';
import { type StoreEvent, storeEventProblem } from '../core/events.js';

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
  /**
   * The input has ended (replay's last line was `now`): emit what waits only for more input (a pairing
   * partner, a debounce window, the minute the last input fell in). Time does not move on: no silence, no timeouts.
   */
  end?(now: number): StoreEvent[];
}

/** Where connectors hand readings. The returned promise settles once derived must-deliver events are durable. */
export interface ReadingIngest {
  ingest(reading: Reading): Promise<void>;
}

/**
 * What features see of the pipeline. Guarantees: `add` routes the processor's `handles` (and its tick) until
 * the returned function is called, which removes exactly that registration and is safe to call twice;
 * `emit` appends events derived outside a reading (API edits, commands) with the same durability as ingest.
 */
export interface PipelinePort extends ReadingIngest {
  add(processor: Processor): () => void;
  emit(events: readonly StoreEvent[]): Promise<void>;
}

/**
 * Where processors' events go: the durable outbox in the gateway, an array in tests.
 * Guarantee: when `append` resolves, every `must_deliver` event in the batch survives a crash or power loss.
 * `append` never partially accepts a batch: it resolves for all of it or rejects for all of it.
 */
export interface EventSink {
  append(events: readonly StoreEvent[]): Promise<void>;
}

/**
 * In-memory EventSink for tests and replay. By default it checks every event against its type's schema
 * (core/events/) and rejects the batch on a mismatch, so every test feeding one checks the wire contract.
 */
export class MemoryEventSink implements EventSink {
  readonly events: StoreEvent[] = [];
  constructor(private readonly options: { check: boolean } = { check: true }) {}
  async append(events: readonly StoreEvent[]): Promise<void> {
    if (this.options.check) {
      for (const e of events) {
        const problem = storeEventProblem(e);
        if (problem)
          throw new StoregateError('SG_EVENT_INVALID', `event does not match its schema: ${problem}`);
      }
    }
    this.events.push(...events);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

export interface PipelineHooks {
  /** Called with every derived event after the sink accepted it (live feed, dashboards). */
  onEvents?(events: readonly StoreEvent[]): void;
  /** A processor threw: the reading is counted and skipped for that processor, never for the others. */
  onProcessorError?(processor: string, error: unknown, reading: Reading | null): void;
  /**
   * The store id: events derived from a reading that carries a device `msgId` get the id deriveEventId()
   * gives for it, so a resent device message yields the same event ids (docs/outbox.md "Device resends").
   */
  idScope?: string;
}

/**
 * Routes readings to the processors that handle their type, collects derived events and appends them to
 * the sink. `ingest` resolves once the sink made them durable, which is what lets the broker hold back a
 * QoS 1 PUBACK until must-deliver data is safe.
 */
export class Pipeline implements PipelinePort {
  private readonly routes = new Map<ReadingType, Processor[]>();
  private readonly processors: Processor[] = [];

  constructor(
    private readonly sink: EventSink,
    private readonly hooks: PipelineHooks = {},
  ) {}

  /** Registers `processor`; the returned function unregisters exactly this registration. */
  add(processor: Processor): () => void {
    this.processors.push(processor);
    for (const type of processor.handles) {
      const list = this.routes.get(type) ?? [];
      list.push(processor);
      this.routes.set(type, list);
    }
    let registered = true;
    return () => {
      if (!registered) return;
      registered = false;
      removeOne(this.processors, processor);
      for (const type of processor.handles) {
        const list = this.routes.get(type);
        if (!list) continue;
        removeOne(list, processor);
        if (list.length === 0) this.routes.delete(type);
      }
    };
  }

  /** `add` for several processors at once (replay, tests); returns the pipeline for chaining. */
  with(...processors: Processor[]): this {
    for (const p of processors) this.add(p);
    return this;
  }

  list(): readonly Processor[] {
    return this.processors;
  }

  /** Synchronous part: run processors, return what they derived (used by replay directly). */
  process(reading: Reading): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const p of this.routes.get(reading.type) ?? []) {
      try {
        for (const event of p.process(reading)) out.push(event);
      } catch (error) {
        this.hooks.onProcessorError?.(p.name, error, reading);
      }
    }
    if (reading.msgId !== undefined && this.hooks.idScope !== undefined)
      assignDerivedIds(out, this.hooks.idScope, reading.deviceId, reading.msgId);
    return out;
  }

  tickEvents(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const p of this.processors) {
      if (!p.tick) continue;
      try {
        out.push(...p.tick(now));
      } catch (error) {
        this.hooks.onProcessorError?.(p.name, error, null);
      }
    }
    return out;
  }

  /** Every processor's `end(now)`: the input is over (replay). */
  endEvents(now: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const p of this.processors) {
      if (!p.end) continue;
      try {
        out.push(...p.end(now));
      } catch (error) {
        this.hooks.onProcessorError?.(p.name, error, null);
      }
    }
    return out;
  }

  ingest(reading: Reading): Promise<void> {
    // Not `async`: each reading would pay two extra promises and their microtask hops (ingest's and emit's),
    // and this runs per device message before a must-deliver PUBACK. Errors still surface as rejections.
    try {
      return this.emit(this.process(reading));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async tick(now: number): Promise<void> {
    await this.emit(this.tickEvents(now));
  }

  /** Processors and features that derive events outside a reading (commands, API edits) append here. */
  emit(events: readonly StoreEvent[]): Promise<void> {
    if (events.length === 0) return RESOLVED;
    let appended: Promise<void>;
    try {
      appended = this.sink.append(events);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.hooks.onEvents) return appended;
    return appended.then(() => this.hooks.onEvents?.(events));
  }
}

function assignDerivedIds(events: StoreEvent[], store: string, device: string, msgId: string): void {
  const ordinals = new Map<string, number>();
  for (const event of events) {
    const ordinal = ordinals.get(event.type) ?? 0;
    ordinals.set(event.type, ordinal + 1);
    event.id ??= deriveEventId({ store, device, msgId, type: event.type, ordinal });
  }
}

function removeOne<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
