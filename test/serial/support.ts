import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { ConfigInput } from '../../gateway/src/config/schema.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { MemoryEventSink, Pipeline, type Processor } from '../../gateway/src/ports/pipeline.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { systemClock } from '../../shared/src/clock.js';
import type { Reading, ReadingType } from '../../shared/src/readings.js';

const ALL: ReadingType[] = [
  'shelf.weight',
  'scale.reading',
  'scanner.scan',
  'door.beam',
  'door.count',
  'device.status',
];

/** Records every reading that reaches the pipeline (what processors would see). */
export class RecordingProcessor implements Processor {
  readonly name = 'recording';
  readonly handles = ALL;
  readonly readings: Reading[] = [];
  process(r: Reading): StoreEvent[] {
    this.readings.push(r);
    return [];
  }
  of<T extends ReadingType>(deviceId: string, type: T): Extract<Reading, { type: T }>[] {
    return this.readings.filter((r) => r.deviceId === deviceId && r.type === type) as Extract<
      Reading,
      { type: T }
    >[];
  }
}

/** A gateway context with a real SQLite registry in a temp dir and a recording pipeline. */
export function serialTestContext(serial: NonNullable<ConfigInput['serial']>, logLevel = 'silent') {
  const dir = mkdtempSync(join(tmpdir(), 'sg-serial-'));
  const config = parseConfig({ data_dir: dir, serial }, { env: {}, baseDir: dir });
  const clock = systemClock();
  const sink = new MemoryEventSink();
  const recorder = new RecordingProcessor();
  const registry = openSqliteDeviceRegistry(join(dir, 'registry.db'), { clock });
  const ctx: GatewayContext = {
    config,
    clock,
    logger: pino({ level: logLevel }),
    metrics: new Registry(),
    registry,
    deviceStats: new DeviceStats(),
    pipeline: new Pipeline(sink).with(recorder),
    events: sink,
    live: new EventEmitter<{ events: [readonly StoreEvent[]] }>(),
    http: Fastify() as unknown as FastifyInstance,
    audit: new MemoryAuditLog(),
  };
  return { ctx, recorder, dir };
}

/** Waits for `cond`; `what` may be a function so the failure shows state as it was then (e.g. a child's log). */
export async function until(
  cond: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
