import mqtt, { type MqttClient } from 'mqtt';
import type { SimContext, SimScene, Simulator } from '../../../shared/src/devices/simulate.js';
import { statusSimulator } from '../../../shared/src/devices/status.js';
import { definitionOf } from '../../../shared/src/devices/tables.js';
import { type DemoDevice, demoCatalog, demoPlates } from './demo-store.js';

/**
 * The MQTT devices of `npm run demo`: each connects with its own credentials and publishes what its kind's
 * simulator hook (shared/src/devices/<kind>.ts `simulate`) returns, plus the shared status heartbeat. The
 * hooks are pure; this runner owns the clients, the timers, the clock and the random source.
 */
export interface Simulators {
  stop(): Promise<void>;
}

export function demoScene(startedAt: number): SimScene {
  return {
    startedAt,
    plates: demoPlates.map((p) => ({
      device: p.device,
      channel: p.channel,
      unitGrams: p.unit_grams,
      capacity: p.capacity,
      initial: p.initial,
    })),
    catalog: demoCatalog.map((i) => ({ gtin: i.gtin, grams: i.grams })),
  };
}

/** `scene` is shared with the serial rig, so lane 2's serial scanner and scale and its MQTT POS agree. */
export async function startSimulators(
  brokerUrl: string,
  devices: readonly DemoDevice[],
  secrets: ReadonlyMap<string, string>,
  scene: SimScene,
): Promise<Simulators> {
  const clients: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];

  for (const device of devices) {
    const client = mqtt.connect(brokerUrl, {
      clientId: device.id,
      username: device.id,
      password: secrets.get(device.id) ?? '',
      reconnectPeriod: 2000,
      // The demo's devices all connect from 127.0.0.1 at once, and the broker answers "server unavailable"
      // (retry later) beyond its per-address limit of credential checks in flight; a real device retries.
      reconnectOnConnackError: true,
    });
    clients.push(client);
    const ctx: SimContext = {
      device: {
        id: device.id,
        location: device.location,
        ...(device.variant ? { variant: device.variant } : {}),
      },
      scene,
      random: Math.random,
    };
    const run = <S>(sim: Simulator<S>) => {
      const publish = (step: { publish: { suffix: string; payload: unknown; qos: 0 | 1 }[] }) => {
        for (const p of step.publish)
          client.publish(`devices/${device.id}/${p.suffix}`, JSON.stringify(p.payload), { qos: p.qos });
      };
      const first = sim.init(ctx, Date.now());
      let state = first.state;
      // Published on CONNACK, not before: a QoS 0 message queued while a first CONNECT is refused (the
      // gateway still provisioning) is dropped, and a slow kind (env: one sample a minute) then stays silent.
      client.once('connect', () => publish(first));
      timers.push(
        setInterval(() => {
          const step = sim.step(state, Date.now(), ctx);
          state = step.state;
          publish(step);
        }, sim.everyMs),
      );
    };
    run(statusSimulator);
    const kindSimulator = definitionOf[device.kind].simulate;
    if (kindSimulator) run(kindSimulator);
  }

  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
