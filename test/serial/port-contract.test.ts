import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { FakePortOpener } from '../../firmware-bridge/src/transport/fake-port.js';
import { type PortOpener, serialPortOpener } from '../../firmware-bridge/src/transport/port.js';
import { createPtyPair } from '../support/pty.js';

/** What every PortOpener must honour (port.ts), run against the in-memory fake and a real PTY via serialport. */
interface Rig {
  opener: PortOpener;
  path: string;
  device: Duplex;
  unplug(): Promise<void>;
  dispose(): Promise<void>;
}

const rigs: Record<string, () => Promise<Rig>> = {
  fake: async () => {
    const opener = new FakePortOpener();
    const device = opener.plug('/dev/fake0');
    return {
      opener,
      path: '/dev/fake0',
      device,
      unplug: async () => opener.unplug('/dev/fake0'),
      dispose: async () => {},
    };
  },
  'socat PTY + serialport': async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-contract-'));
    const pair = await createPtyPair(join(dir, 'host'), join(dir, 'dev'));
    const device = new SerialPort({ path: pair.b, baudRate: 115_200, lock: false });
    device.on('error', () => {});
    await new Promise((r) => device.once('open', r));
    return {
      opener: serialPortOpener,
      path: pair.a,
      device,
      unplug: () => pair.unplug(),
      dispose: async () => {
        if (device.isOpen) await new Promise((r) => device.close(r));
        await pair.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const received = (s: Duplex, n: number) =>
  new Promise<Buffer>((resolve) => {
    let acc = Buffer.alloc(0);
    const on = (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length >= n) {
        s.off('data', on);
        resolve(acc);
      }
    };
    s.on('data', on);
  });

for (const [name, make] of Object.entries(rigs)) {
  describe(`PortOpener contract: ${name}`, () => {
    let rig: Rig | null = null;
    afterEach(async () => {
      await rig?.dispose();
      rig = null;
    });

    it('bytes flow both ways, in order, binary-safe', async () => {
      rig = await make();
      const link = await rig.opener.open(rig.path, 115_200);
      const payload = Buffer.from([0, 1, 2, 0xff, 0x0a, 0x0d, 0, 0x11, 0x13]);
      const atDevice = received(rig.device, payload.length);
      link.write(payload);
      expect((await atDevice).equals(payload)).toBe(true);
      const atHost = received(link, 3);
      rig.device.write(Buffer.from([9, 0, 8]));
      expect([...(await atHost)]).toEqual([9, 0, 8]);
      await new Promise((r) => link.close(r));
      expect(link.isOpen).toBe(false);
    });

    it('a missing path is a rejection naming the path', async () => {
      rig = await make();
      await expect(rig.opener.open(`${rig.path}-missing`, 115_200)).rejects.toThrow(/-missing|No such file/);
    });

    it('unplug: the open link emits close exactly once and is no longer open', async () => {
      rig = await make();
      const link = await rig.opener.open(rig.path, 115_200);
      link.on('error', () => {});
      link.resume(); // serialport notices a hang-up only while it is reading
      await new Promise((r) => setTimeout(r, 100));
      let closes = 0;
      link.on('close', () => closes++);
      await rig.unplug();
      for (let i = 0; i < 300 && closes === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 200)); // and no second close after it
      expect(closes).toBe(1);
      expect(link.isOpen).toBe(false);
    });
  });
}
