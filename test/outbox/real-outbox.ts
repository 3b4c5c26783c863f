import { Writable } from 'node:stream';
import pino from 'pino';
import { type LoadedConfig, parseConfig } from '../../gateway/src/config/load.js';
import type { EventEnvelope } from '../../gateway/src/core/events.js';
import { openOutbox } from '../../gateway/src/sinks/outbox/open-outbox.js';
import type { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import { systemClock } from '../../shared/src/clock.js';
import { parseItem, type WireItem } from './outbox-fixtures.js';

/** Log lines a test can look at (pino JSON, parsed). */
export class CapturedLog {
  readonly lines: Array<Record<string, unknown> & { msg: string; level: number }> = [];
  readonly logger = pino(
    { level: 'debug' },
    new Writable({
      write: (chunk, _enc, done) => {
        for (const l of chunk.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l));
        done();
      },
    }),
  );

  matching(msg: RegExp): Array<Record<string, unknown>> {
    return this.lines.filter((l) => msg.test(l.msg));
  }
}

export function outboxConfig(
  dataDir: string,
  outbox: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): LoadedConfig {
  return parseConfig(
    { data_dir: dataDir, outbox: { reserve_bytes: 256 * 1024, min_free_disk_bytes: 0, ...outbox }, ...extra },
    { baseDir: dataDir },
  );
}

/** The real SQLite outbox in `dataDir`, opened as the gateway opens it (checks, recovery, state file). */
export function openReal(config: LoadedConfig, log = new CapturedLog()): Promise<Outbox> {
  return openOutbox(config, { clock: systemClock(), logger: log.logger });
}

export function md(stream: string, n: number, pad = 0): EventEnvelope {
  return {
    type: 'lane.scan',
    t: Date.now(),
    stream,
    dataClass: 'must_deliver',
    data: { n, ...(pad > 0 ? { pad: 'p'.repeat(pad) } : {}) },
  };
}

/** Everything queued, in delivery order, as the cloud would receive it. */
export function queued(outbox: Outbox): WireItem[] {
  outbox.rewind();
  return outbox.next(1_000_000, 1 << 30).map((r) => parseItem(r.item));
}
