import mqtt, { type MqttClient } from 'mqtt';

/**
 * The device side of `npm run bench:soak`, run in a forked child so its CPU and memory are not the gateway's:
 * a store's worth of mixed devices, each publishing about once a second with real mqtt.js clients.
 */
export interface FleetDevice {
  id: string;
  kind: 'shelf' | 'door' | 'camera' | 'scanner' | 'scale' | 'pos';
  secret: string;
  /** Lane of scanners, scales and POS terminals; `pos: false` lanes never close a session. */
  lane?: string;
}

export interface FleetCounts {
  published: number;
  failed: number;
  connected: number;
}

/** The lanes and their devices of the soak fleet: `lanes` lanes, the last `posLess` with a silent POS. */
export function fleetPlan(total: number, lanes: number): Omit<FleetDevice, 'secret'>[] {
  const out: Omit<FleetDevice, 'secret'>[] = [];
  for (let l = 1; l <= lanes; l++) {
    for (const kind of ['scanner', 'scale', 'pos'] as const)
      out.push({ id: `${kind}-${l}`, kind, lane: `lane-${l}` });
  }
  const rest = total - out.length;
  const doors = Math.round(rest * 0.15);
  const cameras = Math.round(rest * 0.15);
  for (let i = 1; i <= doors; i++) out.push({ id: `door-${i}`, kind: 'door' });
  for (let i = 1; i <= cameras; i++) out.push({ id: `camera-${i}`, kind: 'camera' });
  for (let i = 1; out.length < total; i++) out.push({ id: `shelf-${i}`, kind: 'shelf' });
  return out;
}

/** What device `d` publishes at its `n`-th second (topic suffix, payload, QoS). */
export function nextMessage(
  d: FleetDevice,
  n: number,
  posLess: boolean,
  boot: string,
): { suffix: string; payload: object; qos: 0 | 1 } | null {
  const t = Date.now();
  if (n % 30 === 29) return { suffix: 'status', payload: { uptime_s: n, firmware: '1.0.0' }, qos: 0 };
  switch (d.kind) {
    case 'shelf':
      return {
        suffix: 'shelf',
        payload: {
          t,
          channel: n % 4,
          hz: 10,
          grams: Array.from({ length: 10 }, (_, i) => 1000 + ((n + i) % 7)),
        },
        qos: 0,
      };
    case 'door':
      return { suffix: 'door', payload: { t, in: n * 2, out: n * 2 - (n % 3) }, qos: 1 };
    case 'camera':
      return n % 2 === 0
        ? { suffix: 'camera/line', payload: { t, line: 'entrance', in: n, out: n - 1 }, qos: 1 }
        : { suffix: 'camera/zone', payload: { t, zone: 'produce', count: n % 9 }, qos: 0 };
    case 'scanner':
      // A basket of 3 scans every 30 s; msg_id as a firmware would send it.
      return n % 30 >= 2 && n % 30 <= 4
        ? {
            suffix: 'scan',
            payload: { t, code: `40063813${String(n % 10000).padStart(5, '0')}`, msg_id: `${boot}-${n}` },
            qos: 1,
          }
        : null;
    case 'scale':
      return { suffix: 'scale', payload: { t, grams: 250 * (n % 5), status: 'stable' }, qos: 1 };
    case 'pos': {
      if (posLess) return null;
      const step = n % 30;
      const event =
        step === 1 ? 'basket-open' : step === 20 ? 'payment-success' : step === 22 ? 'basket-close' : null;
      return event
        ? { suffix: 'pos', payload: { t, event, transaction_id: `T-${boot}-${n}` }, qos: 1 }
        : null;
    }
  }
}

export async function runFleet(
  url: string,
  devices: FleetDevice[],
  posLessLanes: ReadonlySet<string>,
  seconds: number,
  report: (c: FleetCounts) => void,
): Promise<FleetCounts> {
  const counts: FleetCounts = { published: 0, failed: 0, connected: 0 };
  const boot = Date.now().toString(36);
  const clients: MqttClient[] = [];
  await Promise.all(
    devices.map(async (d) => {
      const c = await mqtt.connectAsync(url, {
        clientId: d.id,
        username: d.id,
        password: d.secret,
        reconnectPeriod: 1_000,
        keepalive: 60,
      });
      c.on('error', () => {});
      clients.push(c);
      counts.connected++;
    }),
  );
  const start = Date.now();
  const byId = new Map(clients.map((c) => [c.options.clientId, c]));
  const timers = devices.map((d, i) =>
    setTimeout(
      () => {
        let n = 0;
        const tick = () => {
          const msg = nextMessage(d, n++, d.lane !== undefined && posLessLanes.has(d.lane), boot);
          if (!msg) return;
          byId
            .get(d.id)!
            .publish(
              `devices/${d.id}/${msg.suffix}`,
              JSON.stringify(msg.payload),
              { qos: msg.qos },
              (err) => {
                if (err) counts.failed++;
                else counts.published++;
              },
            );
        };
        tick();
        intervals.push(setInterval(tick, 1_000));
      },
      (i * 1_000) / devices.length,
    ),
  );
  const intervals: NodeJS.Timeout[] = [];
  const reporter = setInterval(() => report({ ...counts }), 5_000);
  await new Promise((r) => setTimeout(r, seconds * 1_000 - (Date.now() - start)));
  clearInterval(reporter);
  for (const t of timers) clearTimeout(t);
  for (const t of intervals) clearInterval(t);
  await Promise.all(clients.map((c) => c.endAsync(true)));
  return counts;
}

// As the forked child: receive the plan, run it, report.
if (process.argv.includes('--fleet')) {
  process.once(
    'message',
    async (m: { url: string; devices: FleetDevice[]; posLess: string[]; seconds: number }) => {
      try {
        const counts = await runFleet(m.url, m.devices, new Set(m.posLess), m.seconds, (c) =>
          process.send!({ progress: c }),
        );
        process.send!({ done: counts });
      } catch (err) {
        process.send!({ error: (err as Error).message });
      }
    },
  );
}
