import { FakeClock } from '../../../shared/src/clock.js';
import type { StoreEvent } from '../core/events.js';
import { MemoryEventSink, Pipeline } from '../ports/pipeline.js';
import type { InputLine } from './input-scan.js';
import { defaultReplayConfig } from './replay-config.js';
import type { ReplayDomain, ReplayOptions } from './replay-domain.js';

export interface ReplayResult {
  lines: number;
  readings: number;
  events: number;
  rejected: number;
}

export interface ReplaySinks {
  event(event: StoreEvent): void;
  /** `at` names the line: `file:12` for a named file, `line 12` for one unnamed input. */
  reject(at: string, reason: string): void;
}

const TICK_MS = 1000;

/**
 * Run recorded inputs through the live processors on virtual time. Time advances to each reading's timestamp;
 * processors' tick() runs at every whole second crossed, exactly as the live gateway ticks every second.
 * Time stops at the last input: processors' `end` emits what waited only for more input, and nothing is
 * derived from time the input does not cover (no silence after the last line).
 */
export async function runReplay(
  lines: AsyncIterable<string | InputLine>,
  domains: readonly ReplayDomain[],
  options: ReplayOptions,
  sinks: ReplaySinks,
): Promise<ReplayResult> {
  const clock = new FakeClock(0);
  const pipeline = new Pipeline(new MemoryEventSink({ check: false }), {
    onProcessorError: (name, error) =>
      sinks.reject('processor', `${name} failed: ${(error as Error).message}`),
  });
  const setup = { ...options, config: options.config ?? defaultReplayConfig() };
  for (const domain of domains) pipeline.with(...domain.processors(setup, clock));

  const result: ReplayResult = { lines: 0, readings: 0, events: 0, rejected: 0 };
  const emit = (events: StoreEvent[]) => {
    for (const e of events) {
      result.events++;
      sinks.event(e);
    }
  };
  let started = false;
  let nextTick = 0;
  // From the first recorded tick line on, ticks come from the input (as the live gateway ran them), not whole seconds.
  let recordedTicks = false;
  const advanceTo = (t: number) => {
    if (!started) {
      started = true;
      clock.advanceTo(t);
      nextTick = Math.floor(t / TICK_MS) * TICK_MS + TICK_MS;
    }
    while (!recordedTicks && nextTick <= t) {
      clock.advanceTo(nextTick);
      emit(pipeline.tickEvents(nextTick));
      nextTick += TICK_MS;
    }
    clock.advanceTo(Math.max(clock.now(), t));
  };

  const reject = (at: string, reason: string) => {
    result.rejected++;
    sinks.reject(at, reason);
  };
  for await (const raw of lines) {
    result.lines++;
    const line: InputLine = typeof raw === 'string' ? { text: raw, at: `line ${result.lines}` } : raw;
    if (line.reject !== undefined) {
      reject(line.at, line.reject);
      continue;
    }
    let obj: unknown = line.json;
    if (obj === undefined) {
      const text = line.text.trim();
      if (text === '' || text.startsWith('#')) continue;
      try {
        obj = JSON.parse(text);
      } catch {
        reject(line.at, 'not JSON');
        continue;
      }
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      reject(line.at, 'not a JSON object');
      continue;
    }
    const fields = obj as Record<string, unknown>;
    if ('tick' in fields) {
      const t = fields.t;
      if (
        fields.tick !== true ||
        typeof t !== 'number' ||
        !Number.isFinite(t) ||
        Object.keys(fields).length !== 2
      ) {
        reject(line.at, 'a tick line is {"t": <epoch ms>, "tick": true}');
        continue;
      }
      if (started && t < clock.now()) {
        reject(line.at, `tick ${t} goes back in time (now ${clock.now()})`);
        continue;
      }
      recordedTicks = true;
      advanceTo(t);
      emit(pipeline.tickEvents(t));
      continue;
    }
    let readings = null;
    try {
      for (const domain of domains) {
        readings = domain.parse(obj as Record<string, unknown>);
        if (readings) break;
      }
    } catch (err) {
      reject(line.at, (err as Error).message);
      continue;
    }
    if (!readings) {
      reject(line.at, 'unrecognised input line (see docs/replay.md for the accepted forms)');
      continue;
    }
    for (const reading of readings) {
      // The clock runs on receipt (recorded `received_at`, else `t`): the order the live pipeline saw.
      const t = reading.receivedAt;
      if (started && t < clock.now()) {
        reject(
          line.at,
          `timestamp ${t} goes back in time (now ${clock.now()}); give the inputs as files, which are merged by time`,
        );
        continue;
      }
      advanceTo(t);
      result.readings++;
      emit(pipeline.process(reading));
    }
  }
  if (started) emit(pipeline.endEvents(clock.now()));
  return result;
}
