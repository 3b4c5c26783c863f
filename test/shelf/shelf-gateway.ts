import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { authedFetch, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';

export const PLANOGRAM = {
  plates: [
    { device: 'shelf-a3', channel: 0, sku: 'cola-330', unit_grams: 352, tolerance_grams: 6, capacity: 24 },
    { device: 'shelf-a3', channel: 1, sku: 'chips-250', unit_grams: 250, tolerance_grams: 5, capacity: 20 },
  ],
};

export interface ShelfGateway {
  gw: Gateway;
  dir: string;
  base: string;
  configFile: string;
  /** An admin API token and `fetch` sending it (tests authenticate like any script). */
  token: string;
  fetch: (url: string | URL, init?: RequestInit) => Promise<Response>;
  device(id: string): Promise<MqttClient>;
  close(): Promise<void>;
}

/** A real gateway (embedded broker, SQLite outbox, HTTP) on free ports in a temp dir, seeded with PLANOGRAM. */
export async function startShelfGateway(): Promise<ShelfGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-shelf-gw-'));
  writeFileSync(join(dir, 'planogram.json'), JSON.stringify(PLANOGRAM));
  const [httpPort, brokerPort] = [await freePort(), await freePort()];
  const raw = {
    data_dir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: httpPort },
    broker: { host: '127.0.0.1', port: brokerPort },
    shelves: { planogram: 'planogram.json' },
  };
  const configFile = join(dir, 'storegate.yaml');
  writeFileSync(configFile, JSON.stringify(raw));
  const config = parseConfig(raw, { env: {}, baseDir: dir, configFile });
  const gw = await buildGateway(config, { logger: pino({ level: 'silent' }) });
  await gw.start();
  const clients: MqttClient[] = [];
  const token = seedToken(config.dataDir, 'admin', 'test-admin');
  return {
    gw,
    dir,
    configFile,
    token,
    fetch: authedFetch(token),
    base: `http://127.0.0.1:${httpPort}`,
    async device(id) {
      const secret = gw.context.registry.add({ id, kind: 'shelf' }).secret;
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
        clientId: id,
        username: id,
        password: secret,
        reconnectPeriod: 0,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.endAsync(true);
      await gw.stop('test end');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Publish 60 Hz batches of `grams()` (plus noise) every 200 ms in real time until stopped. */
export function liveShelf(client: MqttClient, channel: number, grams: () => number, noise = 0.3): () => void {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const timer = setInterval(() => {
    const values = Array.from({ length: 12 }, () => Math.round((grams() + rand() * noise * 3.4) * 100) / 100);
    client.publish(
      'devices/shelf-a3/shelf',
      JSON.stringify({ t: Date.now() - 200, channel, hz: 60, grams: values }),
    );
  }, 200);
  return () => clearInterval(timer);
}
