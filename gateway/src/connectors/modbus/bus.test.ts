import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/src/clock.js';
import { MODBUS_MODELS } from '../../core/devices/modbus/catalog.js';
import { ModbusBus } from './bus.js';
import type { ModbusClient } from './client.js';
import { DevicePoller } from './poller.js';
import type { ModbusTransport, TransportEvents } from './transport.js';

/** A master whose answers the test releases by hand; it records overlap, order and the clock at each request. */
function fakeLink(clock: FakeClock) {
  const log: Array<{ slave: number; op: string; at: number }> = [];
  const pending: Array<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  let slave = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const start = (op: string, value: unknown) => {
    log.push({ slave, op, at: clock.monotonic() });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise((resolve, reject) =>
      pending.push({
        resolve: () => {
          inFlight--;
          resolve(value);
        },
        reject: (e) => {
          inFlight--;
          reject(e);
        },
      }),
    );
  };
  const client = {
    setID: (id: number) => {
      slave = id;
    },
    setTimeout: () => {},
    readHoldingRegisters: (_a: number, n: number) => start('read', { data: new Array(n).fill(0) }),
    writeRegister: () => start('write', {}),
  } as unknown as ModbusClient;
  const transport = Object.assign(new EventEmitter<TransportEvents>(), {
    kind: 'rtu' as const,
    client: () => client,
    start() {},
    async stop() {},
  }) as ModbusTransport;
  return { transport, log, pending, maxInFlight: () => maxInFlight };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ModbusBus', () => {
  it('keeps one request in flight, the gap between transactions, and puts writes first', async () => {
    const clock = new FakeClock(0);
    const link = fakeLink(clock);
    const bus = new ModbusBus('b', link.transport, { timeoutMs: 100, retries: 0, gapMs: 2 }, clock);
    const done = [1, 2, 3].map((s) => bus.request(s, (c) => c.readHoldingRegisters(0, 1)));
    await flush();
    expect(link.log.map((l) => l.slave)).toEqual([1]);
    const write = bus.request(9, (c) => c.writeRegister(0, 1), { first: true });
    link.pending.shift()!.resolve(null);
    await flush();
    expect(link.log).toHaveLength(1); // the gap has not passed
    clock.advance(2);
    await flush();
    expect(link.log.map((l) => `${l.slave}:${l.op}`)).toEqual(['1:read', '9:write']);
    for (let i = 0; i < 3; i++) {
      link.pending.shift()!.resolve(null);
      await flush();
      clock.advance(2);
      await flush();
    }
    await Promise.all([...done, write]);
    expect(link.log.map((l) => l.slave)).toEqual([1, 9, 2, 3]);
    expect(link.maxInFlight()).toBe(1);
    const starts = link.log.map((l) => l.at);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(2);
  });

  it('retries a timeout but not an exception, and counts every attempt', async () => {
    const clock = new FakeClock(0);
    const link = fakeLink(clock);
    const bus = new ModbusBus('b', link.transport, { timeoutMs: 100, retries: 2, gapMs: 0 }, clock);
    const seen: string[] = [];
    const timedOut = bus.request(1, (c) => c.readHoldingRegisters(0, 1), {
      onAttemptFailed: (f) => seen.push(f),
    });
    for (let i = 0; i < 3; i++) {
      await flush();
      link.pending.shift()!.reject(Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' }));
    }
    await expect(timedOut).rejects.toMatchObject({
      failure: 'timeout',
      failures: ['timeout', 'timeout', 'timeout'],
    });
    const refused = bus.request(1, (c) => c.readHoldingRegisters(0, 1), {
      onAttemptFailed: (f) => seen.push(f),
    });
    clock.advance(0);
    await flush();
    link.pending.shift()!.reject(Object.assign(new Error('Modbus exception 2'), { modbusCode: 2 }));
    await expect(refused).rejects.toMatchObject({ failure: 'exception_2', failures: ['exception_2'] });
    expect(seen).toEqual(['timeout', 'timeout', 'timeout', 'exception_2']);
  });
});

describe('DevicePoller', () => {
  it('goes offline after N silent polls and then backs off, doubling up to the maximum', async () => {
    const clock = new FakeClock(0);
    const link = fakeLink(clock);
    const bus = new ModbusBus('b', link.transport, { timeoutMs: 100, retries: 0, gapMs: 0 }, clock);
    const states: boolean[] = [];
    const poller = new DevicePoller(
      { id: 'd', slave: 1, model: MODBUS_MODELS.get('danfoss-ak-cc55')!, intervalMs: 1_000, unit: undefined },
      bus,
      clock,
      { offlineAfterFailures: 2, backoffMaxMs: 8_000, firstDelayMs: 0 },
      { sample: () => {}, failure: () => {}, online: (on) => states.push(on) },
    );
    poller.start();
    const pollTimes: number[] = [];
    for (let t = 0; t <= 40_000; t += 50) {
      clock.advanceTo(t);
      await flush();
      while (link.pending.length) {
        pollTimes.push(clock.monotonic());
        link.pending.shift()!.reject(Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' }));
        await flush();
      }
    }
    poller.stop();
    expect(states).toEqual([false]);
    const gaps = pollTimes.slice(1).map((t, i) => t - pollTimes[i]!);
    expect(gaps.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });
});
