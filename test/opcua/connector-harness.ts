import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { coldChainOptions } from '../../gateway/src/features/coldchain/units.js';
import type { GatewayContext } from '../../gateway/src/features/context.js';
import { OpcuaConnectorFeature } from '../../gateway/src/features/opcua/feature.js';
import { MemoryAuditLog } from '../../gateway/src/ports/audit-log.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { MemoryEventSink, Pipeline, type Processor } from '../../gateway/src/ports/pipeline.js';
import { ColdChainProcessor } from '../../gateway/src/processors/coldchain/coldchain-processor.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { systemClock } from '../../shared/src/clock.js';
import type { Reading, ReadingOf } from '../../shared/src/readings.js';

/** Records every plant.value reading (and device.status heartbeat) the pipeline routes, in order. */
export class RecordingProcessor implements Processor {
  readonly name = 'recorder';
  readonly handles = ['plant.value', 'device.status'] as const;
  readonly readings: ReadingOf<'plant.value'>[] = [];
  readonly heartbeats: ReadingOf<'device.status'>[] = [];
  process(reading: Reading): StoreEvent[] {
    if (reading.type === 'plant.value') this.readings.push(reading);
    if (reading.type === 'device.status') this.heartbeats.push(reading);
    return [];
  }
  of(point: string): ReadingOf<'plant.value'>[] {
    return this.readings.filter((r) => r.point === point);
  }
}

/** A real gateway context (SQLite registry, Pipeline, MemoryEventSink, prom registry) around the OPC UA feature. */
export function buildHarness(opcua: unknown) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-opcua-'));
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const sink = new MemoryEventSink();
  const recorder = new RecordingProcessor();
  const config = parseConfig({ data_dir: dataDir, opcua });
  // Points with an `alarm` block are cold-chain units: their alarms come from the cold-chain processor.
  const pipeline = new Pipeline(sink).with(recorder, new ColdChainProcessor(coldChainOptions(config)));
  const registry = openSqliteDeviceRegistry(join(dataDir, 'registry.db'));
  const http = Fastify();
  const ctx: GatewayContext = {
    config,
    clock: systemClock(),
    logger,
    metrics: new Registry(),
    registry,
    deviceStats: new DeviceStats(),
    pipeline,
    events: sink,
    live: new EventEmitter<{ events: [readonly StoreEvent[]] }>(),
    http: http as never,
    audit: new MemoryAuditLog(),
  };
  const feature = new OpcuaConnectorFeature(ctx);
  return {
    ctx,
    feature,
    sink,
    recorder,
    registry,
    logLines,
    health: () => feature.health(),
    pipeline,
    async metric(name: string, labels: Record<string, string>): Promise<number> {
      const m = ctx.metrics.getSingleMetric(name);
      if (!m) return 0;
      const { values } = await m.get();
      const hit = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
      return hit?.value ?? 0;
    },
    async close() {
      await feature.stop();
      registry.close();
      await http.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | null,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
