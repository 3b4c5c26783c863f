import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { devicePayloadSchemaFile, exportedSchemas } from '../../gateway/src/config/schemas.js';
import { MqttDeviceConnector } from '../../gateway/src/connectors/mqtt-devices/mqtt-device-connector.js';
import { DeviceStats } from '../../gateway/src/ports/device-stats.js';
import { DeviceHealthProcessor } from '../../gateway/src/processors/health/device-health-processor.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { replayDomains } from '../../gateway/src/replay/domains.js';
import { defaultReplayConfig } from '../../gateway/src/replay/replay-config.js';
import { FakeClock } from '../../shared/src/clock.js';
import type { DeviceKind } from '../../shared/src/device-contract.js';
import { kindTopics, topicPayloads } from '../../shared/src/device-contract.js';
import { definitionOf, deviceKinds, readingSpecs, topicBySuffix } from '../../shared/src/devices/tables.js';
import { MUST_DELIVER_READINGS, type Reading } from '../../shared/src/readings.js';
import { bodyOf, everyTopic, parseAs, T, timedExample } from './support.js';

/** The reading body the broker makes of a topic's example. */
function exampleBody(kind: DeviceKind, suffix: string): Record<string, unknown> {
  const parsed = parseAs(kind, suffix, timedExample(topicBySuffix.get(suffix)!));
  if (!parsed.ok) throw new Error(`${suffix} example rejected: ${parsed.detail}`);
  return bodyOf(parsed.reading);
}

describe('what the gateway uses is what the definitions declare', () => {
  it('topic tables: each kind publishes exactly its topics plus status, with the definition’s schema', () => {
    for (const kind of deviceKinds) {
      expect(kindTopics[kind]).toEqual([...Object.keys(definitionOf[kind].topics), 'status']);
      for (const [suffix, topic] of Object.entries(definitionOf[kind].topics))
        expect(topicPayloads[suffix as keyof typeof topicPayloads]).toBe(topic.payload);
    }
  });

  it('the broker’s connector holds the PUBACK exactly for must-deliver readings', () => {
    const clock = new FakeClock(T);
    const registry = openSqliteDeviceRegistry(':memory:', { clock });
    const ingested: Reading[] = [];
    const connector = new MqttDeviceConnector({
      clock,
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      registry,
      deviceStats: new DeviceStats(),
      pipeline: { ingest: async (r) => void ingested.push(r) },
    });
    try {
      for (const { kind, suffix, topic } of everyTopic) {
        const payload = Buffer.from(JSON.stringify(timedExample(topic)));
        const outcome = connector.handle({ deviceId: `${kind}-1`, kind, suffix, payload, qos: 1 });
        expect(outcome.accepted, `${kind} ${suffix}`).toBe(true);
        const durable = outcome.accepted && outcome.durable !== undefined;
        expect(durable, `${suffix} PUBACK waits for durability`).toBe(topic.reading.mustDeliver);
        expect(MUST_DELIVER_READINGS.has(topic.reading.type as never)).toBe(topic.reading.mustDeliver);
      }
      expect(ingested).toHaveLength(everyTopic.length);
    } finally {
      registry.close();
    }
  });

  it('schema rejections come from the definition’s payload schema (strict, with its own messages)', () => {
    for (const { kind, suffix, topic } of everyTopic) {
      const extra = parseAs(kind, suffix, { ...timedExample(topic), colour: 'red' });
      expect(extra, `${suffix} with an unknown key`).toMatchObject({ ok: false, reason: 'schema' });
    }
    expect(parseAs('door', 'door', { in: 1.5, out: 0 })).toMatchObject({
      detail: 'in: must be a non-negative integer',
    });
    // A batch is range-checked in one loop (not per-element zod checks): one bad sample still rejects it.
    expect(parseAs('shelf', 'shelf', { channel: 0, grams: [1, 2e6, 3] })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^grams: /),
    });
    expect(parseAs('shelf', 'shelf', { channel: 0, grams: Array(601).fill(1) })).toMatchObject({ ok: false });
    expect(parseAs('scale', 'scale', { grams: 1, status: 'wobbly' })).toMatchObject({
      detail: 'status: must be one of "stable", "motion", "zero", "under", "over"',
    });
  });

  it('the quality rule of a definition is applied by the broker, clock skew after it', () => {
    expect(parseAs('scale', 'scale', { grams: 1, status: 'over' })).toMatchObject({
      reading: { quality: 'bad' },
    });
    expect(parseAs('scale', 'scale', { t: T - 3_600_000, grams: 1, status: 'under' })).toMatchObject({
      reading: { quality: 'bad' },
    });
    expect(parseAs('scale', 'scale', { t: T - 3_600_000, grams: 1, status: 'stable' })).toMatchObject({
      reading: { quality: 'uncertain' },
    });
  });

  it('health: each kind goes offline after its definition’s interval × offline_after_missed', () => {
    for (const kind of deviceKinds) {
      const { intervalMs } = definitionOf[kind].health;
      const p = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: T });
      p.setDirectory([{ id: 'x', kind, lastSeenAt: T, firmware: null }]);
      p.tick(T + 1);
      expect(p.get('x')).toMatchObject({ state: 'online', offlineAfterMs: intervalMs * 3 });
      p.tick(T + intervalMs * 3);
      expect(p.get('x')?.state, kind).toBe('online');
      p.tick(T + intervalMs * 3 + 1);
      expect(p.get('x')?.state, kind).toBe('offline');
    }
  });

  it('health: a device only known from its readings gets the kind its readings imply', () => {
    const p = new DeviceHealthProcessor({ offlineAfterMissed: 3, startedAt: T });
    for (const [type, { kind }] of readingSpecs) {
      const carrier = everyTopic.find((e) => e.topic.reading.type === type);
      const body = carrier ? exampleBody(carrier.kind, carrier.suffix) : { type, point: 'p', value: 1 };
      const id = `unregistered-${type}`;
      p.process({
        ...body,
        deviceId: id,
        deviceTime: null,
        receivedAt: T,
        quality: 'good',
        source: 'serial',
      } as Reading);
      expect(p.get(id)?.kind, type).toBe(kind);
    }
  });

  it('replay: a device line is the device payload plus "device", read into the same reading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-devices-'));
    const planogram = join(dir, 'planogram.json');
    const plate = { device: 'dev-1', channel: 3, sku: 's', unit_grams: 100, tolerance_grams: 5, capacity: 9 };
    writeFileSync(planogram, JSON.stringify({ plates: [plate] }));
    try {
      const domains = replayDomains();
      for (const domain of domains)
        domain.processors({ planogram, config: defaultReplayConfig() }, new FakeClock(0));
      const replayable = everyTopic.filter((e) =>
        ['shelf', 'door', 'beam', 'camera/line', 'camera/zone'].includes(e.suffix),
      );
      expect(replayable).toHaveLength(5);
      for (const { kind, suffix, topic } of replayable) {
        const line = { ...(topic.example as object), t: T, device: 'dev-1' };
        const owner = domains.find((d) => d.parse(line) !== null);
        expect(owner?.parse(line)?.map(bodyOf), suffix).toEqual([exampleBody(kind, suffix)]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/schemas: each topic’s JSON Schema is its definition’s payload schema', () => {
    const exported = exportedSchemas();
    for (const [suffix, topic] of topicBySuffix) {
      expect(exported[devicePayloadSchemaFile(suffix)]).toEqual({
        title: `devices/{id}/${suffix}`,
        ...z.toJSONSchema(topic.payload),
      });
    }
    expect(Object.keys(exported)).toEqual(
      expect.arrayContaining([
        'device-cmd-shelf-tare.schema.json',
        'device-cmd-shelf-calibrate-response.schema.json',
      ]),
    );
  });
});
