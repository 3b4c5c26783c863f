import mqtt, { type MqttClient } from 'mqtt';
import { type DemoDevice, type DemoPlate, demoCatalog, demoPlates } from './demo-store.js';

/**
 * MQTT device simulators for the demo: each simulated device connects with its own credentials and publishes
 * realistic data on the device contract (docs/device-protocol.md).
 */
export interface Simulators {
  stop(): Promise<void>;
}

type Publish = (suffix: string, payload: unknown, qos?: 0 | 1) => void;

const rand = (min: number, max: number) => min + Math.random() * (max - min);
const gaussian = () =>
  Math.sqrt(-2 * Math.log(Math.random() || 1e-9)) * Math.cos(2 * Math.PI * Math.random());

export async function startSimulators(
  brokerUrl: string,
  devices: readonly DemoDevice[],
  secrets: ReadonlyMap<string, string>,
): Promise<Simulators> {
  const clients: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void) => timers.push(setInterval(fn, ms));

  for (const device of devices) {
    const client = mqtt.connect(brokerUrl, {
      clientId: device.id,
      username: device.id,
      password: secrets.get(device.id) ?? '',
      reconnectPeriod: 2000,
    });
    clients.push(client);
    const publish: Publish = (suffix, payload, qos = 0) =>
      client.publish(`devices/${device.id}/${suffix}`, JSON.stringify(payload), { qos });
    const started = Date.now();
    every(30_000, () =>
      publish('status', {
        t: Date.now(),
        firmware: '1.4.2',
        uptime_s: Math.round((Date.now() - started) / 1000),
      }),
    );
    client.once('connect', () => publish('status', { t: Date.now(), firmware: '1.4.2', uptime_s: 0 }));
    if (device.kind === 'shelf') simulateShelf(device.id, publish, every);
    if (device.kind === 'door') simulateDoor(device.id, publish, every);
    if (device.kind === 'camera') simulateCamera(publish, every);
  }
  const byKind = (kind: string): Publish => {
    const device = devices.find((d) => d.kind === kind && d.location.lane === 'lane-1');
    const client = device ? clients[devices.indexOf(device)] : undefined;
    return (suffix, payload, qos = 1) => {
      if (device && client)
        client.publish(`devices/${device.id}/${suffix}`, JSON.stringify(payload), { qos });
    };
  };
  if (devices.some((d) => d.location.lane === 'lane-1'))
    simulateLane(byKind('scanner'), byKind('scale'), byKind('pos'), timers);

  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}

/** 60 Hz plates shipped in 12-sample batches; occasionally a shopper picks or puts back items. */
function simulateShelf(
  deviceId: string,
  publish: Publish,
  every: (ms: number, fn: () => void) => void,
): void {
  const plates = demoPlates.filter((p) => p.device === deviceId);
  const state = plates.map((p: DemoPlate) => ({ plate: p, units: p.initial, hand: 0, handUntil: 0 }));
  every(200, () => {
    const now = Date.now();
    for (const s of state) {
      if (now > s.handUntil && Math.random() < 0.004) {
        const delta = s.units > 2 && Math.random() < 0.75 ? -(1 + Math.floor(Math.random() * 2)) : 1;
        s.units = Math.max(0, Math.min(s.plate.capacity, s.units + delta));
        s.hand = rand(150, 600);
        s.handUntil = now + 600;
      }
      const base = 25 + s.units * s.plate.unit_grams;
      const grams = Array.from({ length: 12 }, () => {
        const touch = now < s.handUntil ? s.hand * Math.random() : 0;
        return Math.round((base + touch + gaussian() * 0.8) * 10) / 10;
      });
      publish('shelf', { t: now - 200, channel: s.plate.channel, hz: 60, grams });
    }
  });
}

/** door-1 reports cumulative counters; door-2 reports raw beam transitions (a then b = entry). */
function simulateDoor(deviceId: string, publish: Publish, every: (ms: number, fn: () => void) => void): void {
  let total = { in: 1000 + Math.floor(rand(0, 500)), out: 0 };
  total.out = total.in - 3;
  every(5_000, () => {
    const entries = Math.random() < 0.7 ? Math.floor(rand(0, 4)) : 0;
    const exits = Math.random() < 0.7 ? Math.floor(rand(0, 4)) : 0;
    if (deviceId === 'door-1') {
      total = { in: total.in + entries, out: total.out + exits };
      publish('door', { t: Date.now(), ...total }, 1);
      return;
    }
    let t = Date.now();
    const walk = (first: 'a' | 'b', second: 'a' | 'b') => {
      for (const [beam, blocked, dt] of [
        [first, true, 0],
        [second, true, 120],
        [first, false, 180],
        [second, false, 140],
      ] as const) {
        t += dt;
        publish('beam', { t, beam, blocked }, 1);
      }
      t += 900;
    };
    for (let i = 0; i < entries; i++) walk('a', 'b');
    for (let i = 0; i < exits; i++) walk('b', 'a');
  });
}

function simulateCamera(publish: Publish, every: (ms: number, fn: () => void) => void): void {
  const line = { in: 0, out: 0 };
  every(10_000, () => {
    line.in += Math.floor(rand(0, 6));
    line.out += Math.floor(rand(0, 6));
    line.out = Math.min(line.out, line.in);
    publish('camera/line', { t: Date.now(), line: 'entrance', ...line }, 1);
    publish('camera/zone', { t: Date.now(), zone: 'produce', count: Math.floor(rand(0, 9)) }, 1);
  });
}

/** One honest shopper session every ~40 s: open, scan and bag 2–4 items, pay, close. */
function simulateLane(scan: Publish, scale: Publish, pos: Publish, timers: NodeJS.Timeout[]): void {
  const runSession = async () => {
    const wait = (ms: number) => new Promise((r) => timers.push(setTimeout(r, ms)));
    let total = 0;
    pos('pos', { t: Date.now(), event: 'basket-open', lane: 'lane-1' });
    scale('scale', { t: Date.now(), grams: 0, status: 'zero' });
    const items = 2 + Math.floor(Math.random() * 3);
    for (let i = 0; i < items; i++) {
      const item = demoCatalog[Math.floor(Math.random() * demoCatalog.length)]!;
      await wait(rand(1500, 3000));
      scan('scan', { t: Date.now(), code: item.gtin, symbology: ']E0' });
      await wait(rand(800, 1600));
      scale('scale', { t: Date.now(), grams: total + item.grams * 0.6, status: 'motion' });
      await wait(400);
      total += item.grams + gaussian() * 1.5;
      scale('scale', { t: Date.now(), grams: Math.round(total * 10) / 10, status: 'stable' });
    }
    await wait(2000);
    pos('pos', { t: Date.now(), event: 'payment-start', lane: 'lane-1' });
    await wait(3000);
    pos('pos', {
      t: Date.now(),
      event: 'payment-success',
      lane: 'lane-1',
      transaction_id: `T-${Date.now()}`,
    });
    pos('pos', { t: Date.now(), event: 'basket-close', lane: 'lane-1' });
    await wait(3000);
    scale('scale', { t: Date.now(), grams: 0, status: 'zero' });
  };
  let busy = false;
  const loop = () => {
    if (busy) return;
    busy = true;
    runSession().finally(() => {
      busy = false;
    });
  };
  timers.push(setTimeout(loop, 3000));
  timers.push(setInterval(loop, 40_000));
}
