import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { laneSimulator } from '../../../shared/src/devices/lane-session.js';
import { plateAction } from '../../../shared/src/devices/shelf.js';
import type { SimContext, SimPlate, SimScene } from '../../../shared/src/devices/simulate.js';
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

export interface SerialDemoScene {
  /** The demo's store: the shelf's plates (device `shelf-demo-1`) and the catalog the lane's shoppers buy from. */
  scene: SimScene;
  /** The lane the serial scanner and scale belong to; its MQTT POS acts out the same sessions. */
  lane: string;
}

const STEP_MS = 200;
/** Per plate and step: a touch about every 50 s, as the MQTT shelf simulator. */
const TOUCH_P = 0.004;

/**
 * For `npm run demo`: one socat PTY pair per emulated device (shelf, door, lane scanner, MT-SICS scale) in
 * `dir`, emulators attached in this process. The shelf holds the planogram's items (picks, returns, restocks);
 * the scanner and scale act out the lane's shopper sessions (shared/src/devices/lane-session.ts), so with the
 * lane's POS they form a working lane. Returns null when socat is not installed, so the demo can run without
 * serial devices instead of failing.
 */
export async function startSerialDemoRig(dir: string, demo: SerialDemoScene): Promise<SerialDemoRig | null> {
  if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) return null;
  const socats: ChildProcess[] = [];
  const runners: { stop(): Promise<void> }[] = [];
  const scanner = new ScannerEmulator({ aim: true });
  const scale = new SicsScaleEmulator('B-DEMO-01');
  const shelf = new ShelfEmulator(
    { deviceId: 'shelf-demo-1', serialNumber: 'SGS-DEMO1', hardware: 'sg-shelf-12', firmware: '1.0.0' },
    {},
  );
  const rigs: Array<[string, Attachable, number, { driver: SerialDeviceConfig['driver']; kind?: string }]> = [
    ['shelf-demo-1', shelf, 115_200, { driver: 'storegate', kind: 'shelf' }],
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
  const plates = demo.scene.plates.filter((p) => p.device === 'shelf-demo-1');
  const units = new Map<SimPlate, number>();
  // The plates start with the planogram's initial stock on a 25 g tray, like the MQTT shelves.
  for (const p of plates) {
    units.set(p, p.initial);
    shelf.interact(p.channel, 25 + p.initial * p.unitGrams - shelf.plateGrams(p.channel), 1);
  }
  const laneCtx = (id: string): SimContext => ({
    device: { id, location: { lane: demo.lane } },
    scene: demo.scene,
    random: Math.random,
  });
  const sims = [
    { sim: laneSimulator('scanner'), ctx: laneCtx('scanner-demo-1'), state: { last: Date.now() } },
    { sim: laneSimulator('scale'), ctx: laneCtx('scale-demo-1'), state: { last: Date.now() } },
  ];
  let onScale = 0;
  const busyUntil = new Map<SimPlate, number>();
  const scans = setInterval(() => {
    const now = Date.now();
    for (const p of plates) {
      if ((busyUntil.get(p) ?? 0) > now || Math.random() >= TOUCH_P) continue;
      const delta = plateAction(units.get(p)!, p.capacity, Math.random);
      units.set(p, units.get(p)! + delta);
      shelf.interact(p.channel, delta * p.unitGrams);
      busyUntil.set(p, now + 2_000);
    }
    for (const s of sims) {
      const step = s.sim.step(s.state, now, s.ctx);
      s.state = step.state;
      for (const pub of step.publish) {
        if (pub.suffix === 'scan') scanner.scan(String(pub.payload.code));
        if (pub.suffix === 'scale') {
          const grams = Number(pub.payload.grams);
          scale.model.place(grams - onScale);
          onScale = grams;
        }
      }
    }
  }, STEP_MS);
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
