import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readOutboxStatus } from '../../gateway/src/sinks/outbox/outbox-status.js';
import { sleep } from '../support/mosquitto.js';
import { arrivalsByStream, gatewayConfig, startCloud, tempDir } from './harness.js';

const FEEDER = join(import.meta.dirname, 'fixtures', 'crash-feeder.mjs');
const DIST = join(import.meta.dirname, '..', '..', 'dist', 'gateway', 'src', 'sinks', 'uplink', 'uplink.js');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

beforeAll(() => {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: run \`npx tsc -p tsconfig.json\` (npm test does) first`);
});

function spawnFeeder(dataDir: string, url: string, mode: 'feed' | 'drain', env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [FEEDER, dataDir, url, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const state = { acked: 0, ready: false, proc };
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') state.ready = true;
      else if (line.startsWith('ack ')) state.acked = Number(line.slice(4));
    }
  });
  cleanups.push(() => kill(proc));
  return state;
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

describe('gateway SIGKILLed mid-stream', () => {
  it('3. every acknowledged must-deliver event and every event that entered the outbox reaches the cloud', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const { broker, consumer } = await startCloud(cleanups);

    let acknowledged = 0;
    for (let round = 0; round < 3; round++) {
      const feeder = spawnFeeder(tmp.dir, broker.url, 'feed', { FEED_FROM: String(acknowledged + 1) });
      await consumer.waitFor(
        () => feeder.acked >= acknowledged + 200 + round * 150,
        30_000,
        'feeder progress',
      );
      await kill(feeder.proc); // mid-append, mid-commit, mid-publish: wherever it is
      // The broker publishes the retained last will: the cloud learns the store gateway is offline.
      const lastStatus = () => consumer.messages.filter((m) => m.topic === 'stores/store-7/status').at(-1);
      await consumer.waitFor(() => lastStatus()?.payload.includes('"offline"') === true, 10_000, 'last will');
      expect(JSON.parse(lastStatus()!.payload)).toMatchObject({
        state: 'offline',
        reason: 'connection lost',
      });
      expect(feeder.acked).toBeGreaterThan(acknowledged);
      acknowledged = feeder.acked;
    }
    // Restart without new input: the backlog left by the crashes must drain.
    const drainer = spawnFeeder(tmp.dir, broker.url, 'drain');
    await consumer.waitFor(() => drainer.ready, 10_000, 'restarted gateway');
    const laneIds = () =>
      new Set(consumer.items.filter((i) => i.stream === 'lane/1').map((i) => i.data.n as number));
    await consumer.waitFor(
      () => {
        const got = laneIds();
        for (let n = 1; n <= acknowledged; n++) if (!got.has(n)) return false;
        return true;
      },
      30_000,
      `all ${acknowledged} acknowledged must-deliver events`,
    );
    const config = gatewayConfig(tmp.dir, { url: broker.url });
    await consumer.waitFor(() => readOutboxStatus(config).depth.must_deliver === 0, 15_000, 'outbox empty');
    await consumer.waitFor(() => readOutboxStatus(config).depth.telemetry === 0, 15_000, 'outbox empty');
    await sleep(300);
    // Whatever entered the outbox (acknowledged or committed just before the kill) arrived with gap-free seqs;
    // an append cut off before its commit was never acknowledged, so it may be absent: no seq was spent on it.
    const byStream = arrivalsByStream(consumer.items);
    for (const stream of ['lane/1', 'shelf/a']) {
      const seqs = [...byStream.get(stream)!].sort((a, b) => a - b);
      expect(seqs.length).toBeGreaterThanOrEqual(acknowledged);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });
});
