import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoDevices } from '../../gateway/src/demo/demo-store.js';
import { freePort } from '../support/peers.js';

const demo = resolve(import.meta.dirname, '../../dist/gateway/src/demo/run-demo.js');

interface DeviceView {
  id: string;
  online: boolean;
  accepted: number;
  rejected: Record<string, number>;
}

/** `npm run demo` end to end: the simulated store provisions itself, every device comes online with data. */
describe('npm run demo', () => {
  it('brings every simulated device online with accepted data and no rejections, then stops on SIGTERM', async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [demo], {
      env: {
        ...process.env,
        STOREGATE_DEMO_DIR: mkdtempSync(join(tmpdir(), 'sg-demo-')),
        STOREGATE_HTTP__PORT: String(httpPort),
        STOREGATE_HTTP__HOST: '127.0.0.1',
        STOREGATE_BROKER__PORT: String(brokerPort),
        STOREGATE_BROKER__HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      const deadline = Date.now() + 30_000;
      const headers: Record<string, string> = {};
      let devices: DeviceView[] = [];
      let serial: DeviceView[] = [];
      while (Date.now() < deadline) {
        try {
          // The demo prints its own admin token in the banner (a gateway has no default credentials).
          const token = /API token\s+(sgt_\S+)/.exec(output)?.[1];
          if (!token) throw new Error('banner not printed yet');
          headers.authorization = `Bearer ${token}`;
          const res = await fetch(`http://127.0.0.1:${httpPort}/api/devices`, { headers });
          const all = ((await res.json()) as { devices: DeviceView[] }).devices;
          serial = all.filter((d) => d.id.endsWith('-demo-1'));
          devices = all.filter((d) => !d.id.endsWith('-demo-1'));
          const up = (list: DeviceView[]) => list.every((d) => d.online && d.accepted > 0);
          if (devices.length === demoDevices.length && serial.length === 4 && up(devices) && up(serial))
            break;
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(devices.map((d) => d.id).sort(), output).toEqual(demoDevices.map((d) => d.id).sort());
      for (const d of devices) {
        expect(d.online, `${d.id} online`).toBe(true);
        expect(d.accepted, `${d.id} accepted`).toBeGreaterThan(0);
        expect(d.rejected, `${d.id} rejected`).toEqual({});
      }
      // socat is a test peer (ensured by the global setup), so the serial emulator rig runs too.
      expect(serial.map((d) => d.id).sort(), output).toEqual([
        'door-demo-1',
        'scale-demo-1',
        'scanner-demo-1',
        'shelf-demo-1',
      ]);
      for (const d of serial) expect(d.online, `${d.id} online`).toBe(true);
      expect(output).toContain('Storegate demo is running');
      let plates: { stock: number | null }[] = [];
      while (Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/shelves`, { headers });
        plates = ((await res.json()) as { plates: { stock: number | null }[] }).plates;
        if (plates.length > 0 && plates.every((p) => p.stock !== null)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(plates.length).toBeGreaterThan(0);
      expect(
        plates.every((p) => p.stock !== null),
        JSON.stringify(plates),
      ).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  }, 60_000);
});
