import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InfluxDB, IPoint } from 'influx';
import { afterEach, describe, expect, it } from 'vitest';
import { PointDiskBuffer, type StoredPoint } from '../../gateway/src/sinks/influx/disk-buffer.js';
import { InfluxPointWriter } from '../../gateway/src/sinks/influx/point-writer.js';
import { FakeClock } from '../../shared/src/clock.js';
import { createLogger } from '../../shared/src/logger.js';

/** Stand-in for the client inside a unit: records batches, can be switched down. */
class ScriptedInflux {
  up = true;
  batches: { points: IPoint[]; precision?: string }[] = [];
  async writePoints(points: IPoint[], opts?: { precision?: string }): Promise<void> {
    await Promise.resolve();
    if (!this.up) throw new Error('connect ECONNREFUSED');
    this.batches.push({ points, ...(opts?.precision ? { precision: opts.precision } : {}) });
  }
  written(): number {
    return this.batches.reduce((n, b) => n + b.points.length, 0);
  }
}

const point = (i: number): StoredPoint => ({
  measurement: 'm',
  tags: { store: 's' },
  fields: { v: i },
  t: 1_700_000_000_000 + i * 1000,
});

describe('InfluxPointWriter', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function setup(maxBuffered = 1_000) {
    const dir = mkdtempSync(join(tmpdir(), 'sg-writer-'));
    dirs.push(dir);
    const clock = new FakeClock(0);
    const influx = new ScriptedInflux();
    const buffer = new PointDiskBuffer(join(dir, 'buf.db'), maxBuffered);
    const writer = new InfluxPointWriter(
      influx as unknown as InfluxDB,
      buffer,
      { batchSize: 10, flushIntervalMs: 1_000, precision: 's', maxQueuedBatches: 2 },
      { clock, logger: createLogger({ level: 'silent' }) },
    );
    writer.start();
    return { clock, influx, buffer, writer, dir };
  }

  it('batches by size and by time with explicit precision', async () => {
    const { clock, influx, writer } = setup();
    for (let i = 0; i < 25; i++) writer.write(point(i));
    await writer.flush();
    expect(influx.batches.map((b) => b.points.length)).toEqual([10, 10, 5]);
    expect(influx.batches.every((b) => b.precision === 's')).toBe(true);
    writer.write(point(99));
    clock.advance(1_000); // the time trigger seals the partial batch
    await expect.poll(() => influx.written()).toBe(26);
    await writer.stop();
  });

  it('keeps points on disk while InfluxDB is down and replays them in order when it returns', async () => {
    const { clock, influx, writer, buffer } = setup();
    influx.up = false;
    for (let i = 0; i < 35; i++) writer.write(point(i));
    await writer.flush();
    expect(writer.isDown()).toBe(true);
    expect(buffer.size()).toBe(25); // the failed in-flight batch waits in memory, the rest on disk
    expect(writer.backlog()).toBe(35);
    influx.up = true;
    clock.advance(1_000); // retry backoff
    await expect.poll(() => influx.written()).toBe(35);
    const order = influx.batches.flatMap((b) => b.points.map((p) => p.fields!.v));
    expect(order).toEqual([...Array(35).keys()]);
    expect(buffer.size()).toBe(0);
    await writer.stop();
  });

  it('bounds the disk buffer, dropping the oldest and counting them; memory stays bounded', async () => {
    const { influx, writer, buffer } = setup(100);
    influx.up = false;
    for (let i = 0; i < 250; i++) writer.write(point(i));
    await writer.flush();
    expect(buffer.size()).toBe(100);
    expect(writer.stats.dropped).toBe(140); // 240 reached the disk (one batch waits in memory for its retry)
    expect(writer.backlog()).toBe(110); // disk bound + the one failed batch held for retry
    expect(buffer.peek(1).points[0]!.fields.v).toBe(150);
    await writer.stop();
  });

  it('spills to disk instead of queueing without bound when the producer outruns InfluxDB', async () => {
    const { influx, writer } = setup();
    let falseSeen = false;
    for (let i = 0; i < 200; i++) if (!writer.write(point(i))) falseSeen = true;
    expect(falseSeen).toBe(true);
    expect(writer.stats.spilled).toBeGreaterThan(0);
    await writer.whenWritable();
    await expect
      .poll(async () => {
        await writer.flush();
        return influx.written();
      })
      .toBe(200);
    await writer.stop();
  });
});
