import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoregateDriver } from '../../firmware-bridge/src/drivers/storegate-driver.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';
import { FakePortOpener } from '../../firmware-bridge/src/transport/fake-port.js';
import { fakePortLister } from '../../firmware-bridge/src/transport/port-lister.js';
import { type LinkState, PortSupervisor } from '../../firmware-bridge/src/transport/supervisor.js';
import { FakeClock } from '../../shared/src/clock.js';

/** Supervision logic on virtual time: the in-memory port fake, by-id style symlinks in a temp dir. */
let dir: string;
let clock: FakeClock;
let opener: FakePortOpener;
let stateChanges = 0;
/**
 * Let real I/O (realpath in the libuv pool, stream ticks) finish while virtual time stands still: wait until
 * nothing observable (timers pending, opens, state changes) has changed for 30 ms, so a loaded machine only
 * makes the test slower, never different.
 */
const settle = async () => {
  let last = '';
  let stable = 0;
  for (let i = 0; i < 300 && stable < 3; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const now = `${clock.pendingTimers()}:${opener.opens}:${stateChanges}`;
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
};

function device(name: string) {
  writeFileSync(join(dir, name), '');
  const emu = new ShelfEmulator(
    { deviceId: 'shelf-x', serialNumber: 'SN-1', hardware: 'hw', firmware: '1.0.0' },
    { channels: 2 },
    clock,
  );
  emu.attach(opener.plug(join(dir, name)));
  return emu;
}
function byId(target: string) {
  try {
    unlinkSync(join(dir, 'by-id', 'usb-Storegate_Shelf_SN-1'));
  } catch {}
  symlinkSync(join(dir, target), join(dir, 'by-id', 'usb-Storegate_Shelf_SN-1'));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-sup-'));
  mkdirSync(join(dir, 'by-id'));
  clock = new FakeClock(1_700_000_000_000);
  opener = new FakePortOpener();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function supervisor(opts: Partial<ConstructorParameters<typeof PortSupervisor>[0]> = {}) {
  const states: string[] = [];
  const sup = new PortSupervisor(
    {
      id: 'shelf-x',
      binding: { path: join(dir, 'by-id', 'usb-Storegate_Shelf_SN-1') },
      baudRate: 115_200,
      backoffInitialMs: 100,
      backoffMaxMs: 1_000,
      ...opts,
    },
    {
      opener,
      lister: fakePortLister([]),
      clock,
      logger: pino({ level: 'silent' }),
      createDriver: () => new StoregateDriver(clock, { expectSerial: 'SN-1' }),
    },
  );
  sup.on('state', (s: LinkState, d) => {
    stateChanges++;
    states.push(`${s}${s === 'offline' ? `: ${d}` : ''}`);
  });
  return { sup, states };
}

describe('PortSupervisor', () => {
  it('follows the by-id link to the current tty, survives renumbering on replug', async () => {
    device('ttyUSB0');
    byId('ttyUSB0');
    const { sup } = supervisor();
    sup.start();
    await settle();
    expect(sup.state).toBe('online');
    expect(sup.identity?.serialNumber).toBe('SN-1');

    opener.unplug(join(dir, 'ttyUSB0'));
    unlinkSync(join(dir, 'ttyUSB0'));
    await settle();
    expect(sup.state).toBe('offline');
    device('ttyUSB1'); // the kernel gave it a new number
    byId('ttyUSB1');
    clock.advance(100);
    await settle();
    expect(sup.state).toBe('online');
    await sup.stop();
  });

  it('backoff doubles and is capped while the device is absent; open errors are retried too', async () => {
    byId('ttyUSB0'); // dangling link: device absent
    const { sup } = supervisor();
    sup.start();
    await settle();
    const opensAt: number[] = [];
    const before = opener.opens;
    for (let t = 0; t < 6_000; t += 50) {
      const n = sup.reconnects;
      clock.advance(50);
      await settle();
      if (sup.reconnects > n) opensAt.push(clock.now());
    }
    const gaps = opensAt.slice(1).map((t, i) => t - opensAt[i]!);
    expect(gaps.slice(0, 6)).toEqual([200, 400, 800, 1_000, 1_000, 1_000]);
    expect(opener.opens).toBe(before); // realpath failed first: never opened a missing device
    device('ttyUSB0');
    opener.failNextOpen = Object.assign(new Error('Cannot lock port'), { code: 'EBUSY' });
    clock.advance(1_000);
    await settle();
    expect(sup.state).not.toBe('online');
    clock.advance(1_000);
    await settle();
    expect(sup.state).toBe('online');
    await sup.stop();
  });

  it('a device that does not identify, or is the wrong one, is not put online', async () => {
    writeFileSync(join(dir, 'ttyUSB0'), '');
    opener.plug(join(dir, 'ttyUSB0')); // something on the port that never answers
    byId('ttyUSB0');
    const { sup, states } = supervisor();
    sup.start();
    await settle();
    clock.advance(2_100);
    await settle();
    expect(states.some((s) => /offline: .*no hello within 2000 ms/.test(s))).toBe(true);
    const emu = new ShelfEmulator(
      { deviceId: 'other', serialNumber: 'SN-2', hardware: 'hw', firmware: '1' },
      { channels: 1 },
      clock,
    );
    emu.attach(opener.plug(join(dir, 'ttyUSB0')));
    clock.advance(1_000);
    await settle();
    expect(states.some((s) => /serial SN-2, expected SN-1/.test(s))).toBe(true);
    expect(sup.state).not.toBe('online');
    await sup.stop();
  });

  it('silence while online (device hung, port still open) triggers a reopen', async () => {
    const emu = device('ttyUSB0');
    byId('ttyUSB0');
    const { sup, states } = supervisor({ silenceMs: 3_000, presenceCheckMs: 0 });
    sup.start();
    await settle();
    expect(sup.state).toBe('online');
    clock.advance(1_000);
    await settle();
    emu.detach(); // firmware stops talking, the USB link stays up
    clock.advance(5_000);
    await settle();
    expect(states.some((s) => /offline: silent for/.test(s))).toBe(true);
    await sup.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a path that disappears while the port still looks open is noticed by the presence check', async () => {
    device('ttyUSB0');
    byId('ttyUSB0');
    const { sup, states } = supervisor({ presenceCheckMs: 500 });
    sup.start();
    await settle();
    unlinkSync(join(dir, 'ttyUSB0')); // the hang-up itself was missed
    clock.advance(600);
    await settle();
    expect(states.some((s) => /disappeared/.test(s))).toBe(true);
    await sup.stop();
  });
});
