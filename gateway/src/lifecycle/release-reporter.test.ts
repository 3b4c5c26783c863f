import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../shared/src/clock.js';
import { createLogger } from '../../../shared/src/logger.js';
import type { Gateway } from '../app.js';
import { type StoreEvent, storeEventSchemas } from '../core/events.js';
import { readUpgradeRecord, type UpgradeRecord, writeUpgradeRecord } from '../deploy/upgrade-record.js';
import { releaseEvent, startReleaseReporter } from './release-reporter.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sg-release-reporter-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const base: UpgradeRecord = {
  state: 'in_progress',
  from: '1.0.0',
  to: '2.0.0',
  artifact: '/var/lib/storegate/incoming/storegate-2.0.0.tar.gz',
  started_at: 1_000,
  forced: false,
};

describe('release outcome events', () => {
  it('match their schemas, with an id that is the same when sent again', () => {
    const up = releaseEvent('s1', '2.0.0', { ...base, state: 'upgraded', backup: '/b', finished_at: 2_000 })!;
    expect(storeEventSchemas['release.upgraded'].parse(up.data)).toMatchObject({ request_id: null });
    const back = releaseEvent('s1', '1.0.0', {
      ...base,
      state: 'rolled_back',
      problem: 'SG_UPGRADE_FAILED: …',
      request_id: 'r-1',
      finished_at: 2_000,
    })!;
    expect(storeEventSchemas['release.rolled_back'].parse(back.data)).toMatchObject({ request_id: 'r-1' });
    expect(up.id).toBe(releaseEvent('s1', '2.0.0', { ...base, state: 'upgraded', finished_at: 9 })!.id);
    expect(up.id).not.toBe(back.id);
    expect(releaseEvent('s1', '2.0.0', base)).toBeNull();
    expect(releaseEvent('s1', '2.0.0', { ...base, state: 'failed', to: null, finished_at: 2 })).toBeNull();
  });

  it('waits while the upgrade is in progress, emits once it is final, and only once', async () => {
    const clock = new FakeClock(10_000);
    const emitted: StoreEvent[] = [];
    const gateway = {
      context: {
        config: { dataDir, store: { id: 's1' } },
        pipeline: { emit: async (events: StoreEvent[]) => void emitted.push(...events) },
      },
    } as unknown as Gateway;
    writeUpgradeRecord(dataDir, base);
    const deps = {
      clock,
      logger: createLogger({ level: 'silent' }),
      current: () => gateway,
      running: '2.0.0',
    };
    const stop = startReleaseReporter(deps);
    const tick = async () => {
      clock.advance(2_000);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    await tick();
    await tick();
    expect(emitted).toEqual([]);
    writeUpgradeRecord(dataDir, { ...base, state: 'upgraded', backup: '/b', finished_at: 11_000 });
    await tick();
    expect(emitted.map((e) => e.type)).toEqual(['release.upgraded']);
    expect(readUpgradeRecord(dataDir)?.reported_at).toBe(clock.now());
    await tick();
    stop();
    // A later start finds it reported and sends nothing.
    startReleaseReporter(deps)();
    const again = startReleaseReporter(deps);
    await tick();
    again();
    expect(emitted).toHaveLength(1);
  });
});
