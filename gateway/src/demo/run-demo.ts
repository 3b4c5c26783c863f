import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startSerialDemoRig } from '../../../firmware-bridge/src/emulators/demo-rig.js';
import { createLogger } from '../../../shared/src/logger.js';
import { buildGateway } from '../app.js';
import { loadConfig, parseConfig } from '../config/load.js';
import { openAuthStore } from '../registry/auth-store.js';
import { CatalogStore } from '../registry/catalog-store.js';
import { openSqliteDeviceRegistry } from '../registry/sqlite-device-registry.js';
import { demoCatalog, demoDevices, demoPlates, demoSerialDevices } from './demo-store.js';
import { demoScene, startSimulators } from './simulators.js';

/**
 * `npm run demo`: the gateway on its embedded defaults (no cloud, no InfluxDB) plus a simulated store whose
 * devices provision themselves in the registry and publish over MQTT with their own credentials.
 */
async function main(): Promise<void> {
  const dir = resolve(process.env.STOREGATE_DEMO_DIR ?? '.storegate-demo');
  mkdirSync(dir, { recursive: true });
  const planogram = resolve(dir, 'planogram.json');
  writeFileSync(planogram, JSON.stringify({ plates: demoPlates.map(({ initial: _, ...p }) => p) }, null, 2));

  // One scene for the MQTT simulators and the serial rig: lane 2's serial scanner and scale and its MQTT POS
  // act out the same shopper sessions.
  const scene = demoScene(Date.now());
  // Serial devices on socat PTY pairs, driven by the firmware emulators, when socat is installed.
  const rig = await startSerialDemoRig(dir, { scene, lane: 'lane-2' });
  const input = {
    store: { id: 'demo-store', name: 'Storegate demo store' },
    data_dir: dir,
    log: { level: process.env.STOREGATE_LOG__LEVEL ?? 'warn' },
    // The demo has no cloud on purpose; events stay in the outbox.
    outbox: { local_only: true },
    shelves: { planogram },
    // The entrance camera watches the doorways the door counters count: entries come from the doors only.
    footfall: { entries_from: 'doors' },
    serial: { devices: rig?.devices ?? [] },
  };
  // The demo runs from the same file the CLI reads (ports as resolved here, env overrides included).
  const resolved = parseConfig(input, { env: process.env, baseDir: dir });
  const configFile = resolve(dir, 'storegate.yaml');
  writeFileSync(
    configFile,
    stringify({
      ...input,
      http: { host: resolved.http.host, port: resolved.http.port },
      broker: { host: resolved.broker.host, port: resolved.broker.port },
    }),
  );
  const config = loadConfig(configFile, process.env);

  // Provisioning: each simulated device gets its own secret, exactly as an installer's `storegate device add`.
  const registry = openSqliteDeviceRegistry(resolve(dir, 'registry.db'), {});
  const secrets = new Map<string, string>();
  for (const d of [...demoDevices, ...(rig ? demoSerialDevices : [])]) {
    secrets.set(
      d.id,
      registry.get(d.id)
        ? registry.rotateSecret(d.id)
        : registry.add({ id: d.id, kind: d.kind, location: d.location }).secret,
    );
  }
  registry.close();
  // The lane catalog normally syncs from the cloud (catalog.sync) or `storegate catalog import`.
  const catalog = CatalogStore.open(resolve(dir, 'checkout.db'));
  if (!catalog.version()) catalog.apply({ items: demoCatalog }, 'demo', Date.now());
  catalog.close();

  // Demo only: a gateway has no default credentials; the demo makes its own admin with a fresh random
  // password (and an API token for curl) on every run and prints them in the banner.
  const access = openAuthStore(resolve(dir, 'registry.db'));
  const password = randomBytes(12).toString('base64url');
  if (access.users().some((u) => u.name === 'demo')) access.setPassword('demo', password);
  else access.addUser('demo', 'admin', password, 'demo', Date.now());
  access.revokeToken('demo');
  const token = access.addToken('demo', 'admin', 'demo', Date.now());
  access.close();

  const logger = createLogger({ level: config.log.level });
  const gateway = await buildGateway(config, { logger });
  await gateway.start();
  const brokerPort = config.broker.port;
  const http = gateway.addresses().http ?? `http://localhost:${config.http.port}`;
  const sims = await startSimulators(`mqtt://127.0.0.1:${brokerPort}`, demoDevices, secrets, scene);
  const cli = `node ${relative(process.cwd(), resolve(import.meta.dirname, '../cli/bin.js'))} --config ${configFile}`;

  process.stdout.write(
    [
      '',
      'Storegate demo is running: a simulated store with 2 smart shelves, 2 doors, a camera, a checkout lane',
      rig
        ? `  and the POS of lane 2 over MQTT, plus ${rig.devices.length} serial devices on PTYs driven by the firmware emulators\n  (${rig.devices.map((d) => d.id).join(', ')}; the scanner and scale are lane 2).`
        : '  and a POS over MQTT (install socat to add the serial shelf, door and lane 2 driven by the firmware emulators).',
      '',
      `  Dashboard            ${http}/dashboard/   log in as demo / ${password}  (demo only)`,
      `  API token            ${token}  (demo only; curl -H 'Authorization: Bearer …')`,
      `  Devices and health   ${http}/api/devices`,
      `  Shelf stock          ${http}/api/shelves`,
      `  Footfall             ${http}/api/footfall   occupancy ${http}/api/occupancy`,
      `  Checkout lanes       ${http}/api/lanes`,
      `  Metrics              ${http}/metrics        health ${http}/healthz`,
      `  CLI                  ${cli} device list`,
      `  Outbox               ${cli} outbox status`,
      `  MQTT broker          mqtt://localhost:${brokerPort} (devices authenticate; see storegate device list)`,
      `  Data                 ${dir}`,
      '',
      'Ctrl-C stops it gracefully.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    await sims.stop();
    // The gateway first: it closes its serial ports before the rig's PTYs go away ("unplugged" otherwise).
    await gateway.stop('demo stopped');
    await rig?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
