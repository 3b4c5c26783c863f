import type { EventSink, Processor, ReadingIngest } from '../ports/pipeline.js';
import type { StoreEvent } from './events.js';
import type { Reading, ReadingType } from './readings.js';

const RESOLVED: Promise<void> = Promise.resolve();

export interface PipelineHooks {
  /** Called with every derived event after the sink accepted it (live feed, dashboards). */
  onEvents?(events: readonly StoreEvent[]): void;
  /** A processor threw: the reading is counted and skipped for that processor, never for the others. */
  onProcessorError?(processor: string, error: unknown, reading: Reading | null): void;
}

/**
 * Routes readings to the processors that handle their type, collects derived events and appends them to
 * the sink. `ingest` resolves once the sink made them durable, which is what lets the broker hold back a
 * QoS 1 PUBACK until must-deliver data is safe.
 */
export class Pipeline implements ReadingIngest {
  private readonly routes = new Map<ReadingType, Processor[]>();
  private readonly processors: Processor[] = [];

  constructor(
    private readonly sink: EventSink,
    private readonly hooks: PipelineHooks = {},
  ) {}

  add(processor: Processor): this {
    this.processors.push(processor);
    for (const type of processor.handles) {
      const list = this.routes.get(type) ?? [];
      list.push(processor);
      this.routes.set(type, list);
    }
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
