import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SerialDeviceConfig } from '../../../shared/src/serial-config.js';
import { DoorEmulator } from './door.js';
import { type Attachable, runOnPort } from './port-runner.js';
import { ScannerEmulator } from './scanner.js';
import { ShelfEmulator } from './shelf.js';
import { SicsScaleEmulator } from './sics-scale.js';

export interface SerialDemoRig {
  /** Entries for `serial.devices` pointing at the gateway ends of the PTY pairs. */
  devices: Array<{ id: string; driver: SerialDeviceConfig['driver']; path: string; kind?: string }>;
  stop(): Promise<void>;
}

/**
 * For `npm run demo`: one socat PTY pair per emulated device (shelf, door, lane scanner, MT-SICS scale) in
 * `dir`, emulators attached in this process. Returns null when socat is not installed, so the demo can run
 * without serial devices instead of failing.
 */
export async function startSerialDemoRig(dir: string): Promise<SerialDemoRig | null> {
  if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) return null;
  const socats: ChildProcess[] = [];
  const runners: { stop(): Promise<void> }[] = [];
  const scanner = new ScannerEmulator({ aim: true });
  const scale = new SicsScaleEmulator('B-DEMO-01');
  const rigs: Array<[string, Attachable, number, { driver: SerialDeviceConfig['driver']; kind?: string }]> = [
    [
      'shelf-demo-1',
      new ShelfEmulator(
        { deviceId: 'shelf-demo-1', serialNumber: 'SGS-DEMO1', hardware: 'sg-shelf-12', firmware: '1.0.0' },
        { randomEventEveryS: 15 },
      ),
      115_200,
      { driver: 'storegate', kind: 'shelf' },
    ],
    [
      'door-demo-1',
      new DoorEmulator(
        { deviceId: 'door-demo-1', serialNumber: 'SGD-DEMO1', hardware: 'sg-door', firmware: '1.0.0' },
        { everyS: 5 },
      ),
      115_200,
      { driver: 'storegate', kind: 'door' },
    ],
    ['scanner-demo-1', scanner, 9600, { driver: 'line-scanner' }],
    ['scale-demo-1', scale, 9600, { driver: 'mt-sics' }],
  ];
  const devices: SerialDemoRig['devices'] = [];
  for (const [id, emulator, baud, entry] of rigs) {
    const gw = join(dir, `tty-${id}`);
    const dev = join(dir, `tty-${id}-device`);
    const socat = spawn('socat', [`pty,raw,echo=0,link=${gw}`, `pty,raw,echo=0,link=${dev}`], {
      stdio: 'ignore',
    });
    socats.push(socat);
    for (let i = 0; i < 200 && !(existsSync(gw) && existsSync(dev)); i++)
      await new Promise((r) => setTimeout(r, 10));
    runners.push(runOnPort(emulator, dev, { baudRate: baud }));
    devices.push({ id, path: gw, ...entry });
  }
  const codes = ['4006381333931', '96385074', '036000291452'];
  let n = 0;
  const scans = setInterval(() => {
    scanner.scan(codes[n % codes.length]!);
    scale.model.place([330, 125, 500][n++ % 3]!);
  }, 7_000);
  scans.unref();
  return {
    devices,
    async stop() {
      clearInterval(scans);
      for (const r of runners) await r.stop();
      for (const s of socats) if (s.exitCode === null) s.kill('SIGTERM');
    },
  };
}
