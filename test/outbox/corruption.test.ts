import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Outbox } from '../../gateway/src/sinks/outbox/outbox.js';
import { gatewayConfig, startCloud, startStack } from '../uplink/harness.js';
import type { WireItem } from './outbox-fixtures.js';
import { CapturedLog, md, openReal, outboxConfig, queued } from './real-outbox.js';

let dir: string;
const opened: Outbox[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(log = new CapturedLog()) {
  const ob = await openReal(outboxConfig(dir), log);
  opened.push(ob);
  return ob;
}

const db = () => join(dir, 'outbox.db');

function closeAll(): void {
  for (const o of opened.splice(0)) o.close();
}

/** A used outbox: 200 scans on lane/1 (10 acknowledged), 30 on lane/2; closed cleanly. Returns its epoch. */
async function used(): Promise<number> {
  const ob = await open();
  for (let n = 1; n <= 200; n += 20)
    await ob.append(Array.from({ length: 20 }, (_, k) => md('lane/1', n + k, 400)));
  await ob.append(Array.from({ length: 30 }, (_, k) => md('lane/2', k + 1)));
  ob.ack(ob.next(10, 1 << 30));
  const epoch = ob.state.epoch;
  opened.splice(opened.indexOf(ob), 1);
  ob.close();
  return epoch;
}

/** Copy outbox.db and its WAL while the outbox is open: the files a power cut would leave. */
function crashImage(): Record<string, Buffer> {
  const image: Record<string, Buffer> = {};
  for (const f of ['outbox.db', 'outbox.db-wal'])
    if (existsSync(join(dir, f))) image[f] = readFileSync(join(dir, f));
  return image;
}

function restore(image: Record<string, Buffer>): void {
  for (const f of ['outbox.db', 'outbox.db-wal', 'outbox.db-shm']) rmSync(join(dir, f), { force: true });
  for (const [f, data] of Object.entries(image)) writeFileSync(join(dir, f), data);
}

function overwrite(file: string, offset: number, data: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, data, 0, data.length, offset);
  closeSync(fd);
}

/** Reopen after a loss: a fresh outbox in a new epoch whose first event names the loss; old seqs never reused. */
async function expectLoss(reason: string, oldEpoch: number, log = new CapturedLog()) {
  const ob = await open(log);
  expect(ob.state.epoch).toBeGreaterThan(oldEpoch);
  const [first, ...rest] = queued(ob);
  expect(rest).toEqual([]);
  expect(first).toMatchObject({
    epoch: ob.state.epoch,
    seq: 1,
    stream: 'gateway/outbox',
    type: 'gateway.data_loss',
    class: 'must_deliver',
    data: { reason, epoch: ob.state.epoch, previous_epoch: oldEpoch },
  });
  const data = first!.data as { moved_to: string[]; last_known: { streams: Record<string, number> } | null };
  expect(data.last_known?.streams).toEqual({ 'lane/1': 200, 'lane/2': 30 });
  for (const path of data.moved_to) expect(existsSync(path)).toBe(true);
  const line = log.matching(/^outbox lost/)[0];
  expect(line).toMatchObject({ reason, movedTo: data.moved_to, epoch: ob.state.epoch });
  // The old streams start again at seq 1 — in the new epoch, so no (epoch, seq) is ever reused.
  await ob.append([md('lane/1', 1)]);
  expect(
    queued(ob)
      .filter((i) => i.stream === 'lane/1')
      .map((i) => [i.epoch, i.seq]),
  ).toEqual([[ob.state.epoch, 1]]);
  return { ob, data: first!.data };
}

describe('outbox files on open', () => {
  it('first start: a new epoch, no loss reported; a clean restart keeps epoch and seqs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    const epoch = await used();
    expect(epoch).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 60);
    const state = JSON.parse(readFileSync(join(dir, 'outbox.state.json'), 'utf8'));
    expect(state).toMatchObject({ epoch, streams: { 'lane/1': 200, 'lane/2': 30 }, must_deliver: 220 });
    const again = await open();
    expect(again.state.epoch).toBe(epoch);
    await again.append([md('lane/1', 201)]);
    const items = queued(again);
    expect(items.some((i) => i.type === 'gateway.data_loss')).toBe(false);
    expect(items.filter((i) => i.stream === 'lane/1').map((i) => i.seq)).toEqual(
      Array.from({ length: 191 }, (_, i) => i + 11),
    );
  });

  it('a power-cut image with a valid WAL opens as it was: no loss', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    const ob = await open();
    await ob.append(Array.from({ length: 50 }, (_, k) => md('lane/1', k + 1)));
    const image = crashImage();
    expect(image['outbox.db-wal']?.length).toBeGreaterThan(0);
    closeAll();
    restore(image);
    const again = await open();
    expect(queued(again).map((i) => i.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  const damages: Array<[string, string, () => void]> = [
    ['deleted outbox.db', 'missing', () => rmSync(db())],
    ['zero-length outbox.db', 'empty', () => writeFileSync(db(), '')],
    ['truncated outbox.db', 'corrupt', () => writeFileSync(db(), readFileSync(db()).subarray(0, 6000))],
    ['zeroed outbox.db', 'corrupt', () => writeFileSync(db(), Buffer.alloc(statSync(db()).size))],
    ['garbage outbox.db', 'corrupt', () => writeFileSync(db(), Buffer.from('#!garbage\n'.repeat(3000)))],
    [
      'overwritten pages inside outbox.db',
      'corrupt',
      () => overwrite(db(), 3 * 4096, Buffer.alloc(8192, 0xa5)),
    ],
  ];
  for (const [name, reason, damage] of damages) {
    it(`${name}: moved aside, fresh outbox in a new epoch, gateway.data_loss (${reason})`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
      const epoch = await used();
      damage();
      const { data } = await expectLoss(reason, epoch);
      if (reason === 'corrupt' && data.queued === null)
        expect(data.queued_problem).toEqual(expect.any(String));
    });
  }

  it('a WAL with a bad header (garbage written over it): not silently ignored', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    const epoch = await used();
    const ob = await open();
    await ob.append([md('lane/1', 201), md('lane/1', 202)]);
    const image = crashImage();
    closeAll(); // writes the state file: lane/1 up to 202
    restore(image);
    overwrite(join(dir, 'outbox.db-wal'), 0, Buffer.from('this is no WAL header at all!!!!'));
    const log = new CapturedLog();
    const fresh = await open(log);
    const [loss] = queued(fresh);
    expect(loss).toMatchObject({
      type: 'gateway.data_loss',
      data: { reason: 'wal_corrupt', previous_epoch: epoch },
    });
    expect((loss!.data.last_known as { streams: Record<string, number> }).streams['lane/1']).toBe(202);
    // What the old main file still held is listed (the WAL's commits are what was lost).
    expect(loss!.data.queued).toMatchObject({ must_deliver: 220, streams: { 'lane/1': { seq_to: 200 } } });
    const lost = readdirSync(dir).filter((f) => f.includes('.lost-'));
    expect(lost).toContainEqual(expect.stringMatching(/^outbox\.db\.lost-.*-wal_corrupt$/));
    expect(lost).toContainEqual(expect.stringMatching(/^outbox\.db\.lost-.*-wal_corrupt-wal$/));
  });

  it('an older copy of outbox.db put back (seqs would be reused): rolled_back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    const epoch = await used();
    const backup = readFileSync(db());
    const ob = await open();
    await ob.append([md('lane/1', 201)]);
    closeAll();
    restore({ 'outbox.db': backup });
    const ob2 = await open();
    const [loss] = queued(ob2);
    expect(loss).toMatchObject({
      type: 'gateway.data_loss',
      data: { reason: 'rolled_back', previous_epoch: epoch },
    });
    expect(loss!.data.detail).toContain('lane/1');
  });

  it('keeps at most three moved-aside sets', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    await used();
    for (let i = 0; i < 5; i++) {
      writeFileSync(db(), Buffer.from('garbage'.repeat(1000)));
      const ob = await open();
      opened.splice(opened.indexOf(ob), 1);
      ob.close();
      await new Promise((r) => setTimeout(r, 5)); // distinct timestamps in the names
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('outbox.db.lost-'))).toHaveLength(3);
  });

  it('a problem that is not damage (a directory where outbox.db belongs) is an error, never hidden as a loss', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    await used();
    rmSync(db());
    mkdirSync(db());
    await expect(open()).rejects.toMatchObject({ code: 'SG_IO' });
    expect(readdirSync(dir).filter((f) => f.includes('.lost-'))).toEqual([]);
  });
});

describe('a lost outbox as the cloud sees it (real Mosquitto)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('a new epoch starts with gateway.data_loss naming the old one; no (epoch, seq) arrives twice with different ids', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-corrupt-'));
    const { broker, consumer } = await startCloud(cleanups);
    const config = gatewayConfig(dir, { url: broker.url });
    const first = await startStack(config);
    for (let n = 1; n <= 20; n++) await first.outbox.append([md('lane/1', n)]);
    await consumer.waitFor(() => consumer.items.length >= 20, 10_000, 'first epoch delivered');
    // Stopped with 5 scans the cloud never got; then outbox.db is lost.
    await broker.stop('SIGTERM');
    for (let n = 21; n <= 25; n++) await first.outbox.append([md('lane/1', n)]);
    const oldEpoch = first.outbox.state.epoch;
    await first.stop();
    for (const f of ['outbox.db', 'outbox.db-wal', 'outbox.db-shm']) rmSync(join(dir, f), { force: true });
    await broker.start();
    const second = await startStack(config);
    cleanups.push(() => second.stop());
    for (let n = 1; n <= 3; n++) await second.outbox.append([md('lane/1', 100 + n)]);
    await consumer.waitFor(() => consumer.items.length >= 24, 10_000, 'second epoch delivered');
    const items = consumer.items as unknown as WireItem[];
    const byKey = new Map<string, string>();
    for (const i of items) {
      const key = `${i.stream}/${i.epoch}/${i.seq}`;
      expect(byKey.get(key) ?? i.id).toBe(i.id);
      byKey.set(key, i.id);
    }
    const loss = items.find((i) => i.type === 'gateway.data_loss')!;
    expect(loss).toMatchObject({
      epoch: second.outbox.state.epoch,
      data: { reason: 'missing', previous_epoch: oldEpoch },
    });
    // What the cloud can work out: lane/1 of the old epoch had seqs up to 25 assigned; it received 1..20.
    expect((loss.data.last_known as { streams: Record<string, number> }).streams['lane/1']).toBe(25);
    const oldSeqs = items.filter((i) => i.stream === 'lane/1' && i.epoch === oldEpoch).map((i) => i.seq);
    expect(new Set(oldSeqs)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i + 1)));
    const newSeqs = items.filter((i) => i.stream === 'lane/1' && i.epoch === second.outbox.state.epoch);
    expect(newSeqs.map((i) => [i.seq, i.data.n])).toEqual([
      [1, 101],
      [2, 102],
      [3, 103],
    ]);
  });
});
