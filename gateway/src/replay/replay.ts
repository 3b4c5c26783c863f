import { FakeClock } from '../../../shared/src/clock.js';
import { readingTime } from '../../../shared/src/readings.js';
import type { StoreEvent } from '../core/events.js';
import { MemoryEventSink, Pipeline } from '../ports/pipeline.js';
import type { ReplayDomain, ReplayOptions } from './replay-domain.js';

export interface ReplayResult {
  lines: number;
  readings: number;
  events: number;
  rejected: number;
}

export interface ReplaySinks {
  event(event: StoreEvent): void;
  reject(lineNumber: number, reason: string): void;
}

const TICK_MS = 1000;
/** After the last input, let virtual time run on so pending timeouts and the last minute rollup flush. */
const DRAIN_MS = 120_000;

/**
 * Run recorded inputs through the live processors on virtual time. Time advances to each reading's timestamp;
 * processors' tick() runs at every whole second crossed, exactly as the live gateway ticks every second.
 */
export async function runReplay(
  lines: AsyncIterable<string>,
  domains: readonly ReplayDomain[],
  options: ReplayOptions,
  sinks: ReplaySinks,
): Promise<ReplayResult> {
  const clock = new FakeClock(0);
  const pipeline = new Pipeline(new MemoryEventSink({ check: false }), {
    onProcessorError: (name, error) =>
      sinks.reject(0, `processor ${name} failed: ${(error as Error).message}`),
  });
  for (const domain of domains) pipeline.with(...domain.processors(options, clock));

  const result: ReplayResult = { lines: 0, readings: 0, events: 0, rejected: 0 };
  const emit = (events: StoreEvent[]) => {
    for (const e of events) {
      result.events++;
      sinks.event(e);
    }
  };
  let started = false;
  let nextTick = 0;
  const advanceTo = (t: number) => {
    if (!started) {
      started = true;
      clock.advanceTo(t);
      nextTick = Math.floor(t / TICK_MS) * TICK_MS + TICK_MS;
    }
    while (nextTick <= t) {
      clock.advanceTo(nextTick);
      emit(pipeline.tickEvents(nextTick));
      nextTick += TICK_MS;
    }
    clock.advanceTo(Math.max(clock.now(), t));
  };

  for await (const raw of lines) {
    result.lines++;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      result.rejected++;
      sinks.reject(result.lines, 'not JSON');
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      result.rejected++;
      sinks.reject(result.lines, 'not a JSON object');
      continue;
    }
    let readings = null;
    try {
      for (const domain of domains) {
        readings = domain.parse(obj as Record<string, unknown>);
        if (readings) break;
      }
    } catch (err) {
      result.rejected++;
      sinks.reject(result.lines, (err as Error).message);
      continue;
    }
    if (!readings) {
      result.rejected++;
      sinks.reject(result.lines, 'unrecognised input line (see docs/replay.md for the accepted forms)');
      continue;
    }
    for (const reading of readings) {
      const t = readingTime(reading);
      if (started && t < clock.now()) {
        result.rejected++;
        sinks.reject(
          result.lines,
          `timestamp ${t} goes back in time (now ${clock.now()}); input must be sorted`,
        );
        continue;
      }
      advanceTo(t);
      result.readings++;
      emit(pipeline.process(reading));
    }
  }
  if (started) advanceTo(clock.now() + DRAIN_MS);
  return result;
}
