import { closeSync, openSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { openOutbox } from '../../gateway/src/sinks/outbox/open-outbox.js';
import { CommandRegistry } from '../../gateway/src/sinks/uplink/commands.js';
import { Uplink } from '../../gateway/src/sinks/uplink/uplink.js';
import { systemClock } from '../../shared/src/clock.js';
import { gatewayConfig, startCloud } from '../uplink/harness.js';
import { accountStream } from './outbox-fixtures.js';
import { CapturedLog, md } from './real-outbox.js';
import { smallFilesystem } from './tmpfs.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

const KiB = 1024;
const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};
const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Another program writing until the filesystem is full (ENOSPC). */
function fillUp(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe('outbox on a real full filesystem (4 MiB tmpfs)', () => {
  it('refuses at the floor, survives a disk filled by another program, drains to the cloud, recovers and shrinks', async () => {
    const fs = smallFilesystem(4);
    cleanups.push(() => fs.release());
    const { broker, consumer } = await startCloud(cleanups);
    await broker.stop('SIGTERM');

    // A sibling database on the same filesystem: it counts, because the floor is measured with statfs.
    const registry = openSqliteDeviceRegistry(join(fs.dir, 'registry.db'), {
      scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 },
    });
    for (let i = 0; i < 50; i++) registry.add({ id: `scale-${i}`, kind: 'scale' });
    registry.close();

    const config = gatewayConfig(
      fs.dir,
      { url: broker.url },
      { outbox: { budget_bytes: 64 * 1024 * KiB, min_free_disk_bytes: 256 * KiB, reserve_bytes: 512 * KiB } },
    );
    const log = new CapturedLog();
    const clock = systemClock();
    const metrics = new Registry();
    const outbox = await openOutbox(config, { clock, logger: log.logger, metrics });
    const uplink = new Uplink({
      config: { ...config, cloud: config.cloud! },
      clock,
      logger: log.logger,
      outbox,
      commands: new CommandRegistry(),
      metrics,
    });
    await uplink.start();
    cleanups.push(async () => {
      await uplink.stop();
      outbox.close();
    });
    const reservePath = join(fs.dir, 'outbox.reserve');
    expect(size(reservePath)).toBe(512 * KiB);

    // 1. Must-deliver scans until the floor refuses them (the device gets no PUBACK and keeps its data).
    let accepted = 0;
    let refusedWith: { code?: string; message: string } | null = null;
    while (!refusedWith) {
      try {
        await outbox.append(Array.from({ length: 25 }, (_, k) => md('lane/1', accepted + k + 1, 200)));
        accepted += 25;
      } catch (err) {
        refusedWith = err as { code?: string; message: string };
      }
    }
    expect(refusedWith).toMatchObject({ code: 'SG_IO', message: expect.stringMatching(/floor/) });
    expect(accepted).toBeGreaterThan(1000);
    for (let i = 0; i < 200; i++) await expect(outbox.append([md('lane/1', 0)])).rejects.toThrow(/disk full/);
    expect(outbox.diskState()).toBe('refusing');
    expect(free(fs.dir)).toBeGreaterThan(0); // a hard floor: the filesystem itself never filled
    expect(log.matching(/^outbox refusing new readings/)).toHaveLength(1); // one line, not one per refusal
    expect(await metrics.getSingleMetricAsString('storegate_outbox_refusing')).toMatch(/ 1$/);
    const peakFile = size(join(fs.dir, 'outbox.db')) + size(join(fs.dir, 'outbox.db-wal'));

    // 2. Another program fills the rest: even deleting now needs the reserve.
    fillUp(join(fs.dir, 'filler'));
    expect(free(fs.dir)).toBeLessThan(4 * KiB);

    // 3. The cloud comes back and drains: deletes go through, nothing spins, the reserve was spent on them.
    await broker.start();
    await consumer.waitFor(
      () => new Set(consumer.items.filter((i) => i.stream === 'lane/1').map((i) => i.id)).size === accepted,
      60_000,
      'every accepted scan at the cloud',
    );
    await consumer.waitFor(() => outbox.totals().must_deliver.count <= 2, 20_000, 'outbox drained');
    expect(log.matching(/^outbox released its disk reserve/)).toHaveLength(1);
    expect(log.matching(/^outbox write failed/).length).toBeLessThanOrEqual(2);

    // 4. Space freed inside outbox.db counts: readings are accepted again though the filler is still there,
    //    and the file gave its free pages back to the filesystem.
    await consumer.waitFor(() => outbox.diskState() === 'ok', 10_000, 'accepting again');
    await outbox.append([md('lane/1', accepted + 1)]);
    const shrunkFile = size(join(fs.dir, 'outbox.db')) + size(join(fs.dir, 'outbox.db-wal'));
    expect(shrunkFile).toBeLessThan(peakFile / 2);
    expect(log.matching(/^outbox\.db shrank/).length).toBeGreaterThan(0);

    // 5. The filler goes: the reserve is whole again.
    rmSync(join(fs.dir, 'filler'));
    await consumer.waitFor(() => size(reservePath) === 512 * KiB, 10_000, 'reserve refilled');

    // The cloud saw every scan once per seq in one epoch, and the episode described in-band.
    await consumer.waitFor(
      () =>
        consumer.items.filter((i) => i.stream === 'gateway/outbox').length >= 2 &&
        consumer.items.some((i) => i.stream === 'lane/1' && i.seq === accepted + 1),
      10_000,
      'disk notes and the scan accepted after recovery',
    );
    const items = consumer.items as unknown as Parameters<typeof accountStream>[0];
    expect(accountStream(items, 'lane/1')).toEqual({ must_deliver: accepted + 1 });
    expect(new Set(items.map((i) => i.epoch))).toEqual(new Set([outbox.state.epoch]));
    const notes = items.filter((i) => i.stream === 'gateway/outbox');
    expect(notes.map((n) => [n.seq, n.type, n.data.state])).toEqual([
      [1, 'gateway.disk_full', 'refusing'],
      [2, 'gateway.disk_full', 'recovered'],
    ]);
    expect(notes[1]!.data.refused).toMatchObject({ must_deliver: 225, by_type: { 'lane.scan': 225 } }); // the batch that hit the floor + 200;
  });
});
