import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSerialDemoRig } from '../../../firmware-bridge/src/emulators/demo-rig.js';
import { createLogger } from '../../../shared/src/logger.js';
import { buildGateway } from '../app.js';
import { parseConfig } from '../config/load.js';
import { openAuthStore } from '../registry/auth-store.js';
import { CatalogStore } from '../registry/catalog-store.js';
import { openSqliteDeviceRegistry } from '../registry/sqlite-device-registry.js';
import { demoCatalog, demoDevices, demoPlates } from './demo-store.js';
import { startSimulators } from './simulators.js';

/**
 * `npm run demo`: the gateway on its embedded defaults (no cloud, no InfluxDB) plus a simulated store whose
 * devices provision themselves in the registry and publish over MQTT with their own credentials.
 */
async function main(): Promise<void> {
  const dir = resolve(process.env.STOREGATE_DEMO_DIR ?? '.storegate-demo');
  mkdirSync(dir, { recursive: true });
  const planogram = resolve(dir, 'planogram.json');
  writeFileSync(planogram, JSON.stringify({ plates: demoPlates.map(({ initial: _, ...p }) => p) }, null, 2));

  // Serial devices on socat PTY pairs, driven by the firmware emulators, when socat is installed.
  const rig = await startSerialDemoRig(dir);
  const config = parseConfig(
    {
      store: { id: 'demo-store', name: 'Storegate demo store' },
      data_dir: dir,
      log: { level: process.env.STOREGATE_LOG__LEVEL ?? 'warn' },
      shelves: { planogram },
      serial: { devices: rig?.devices ?? [] },
    },
    { env: process.env, baseDir: dir },
  );

  // Provisioning: each simulated device gets its own secret, exactly as an installer's `storegate device add`.
  const registry = openSqliteDeviceRegistry(resolve(dir, 'registry.db'), {});
  const secrets = new Map<string, string>();
  for (const d of demoDevices) {
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
  const sims = await startSimulators(`mqtt://127.0.0.1:${brokerPort}`, demoDevices, secrets);

  process.stdout.write(
    [
      '',
      'Storegate demo is running: a simulated store with 2 smart shelves, 2 doors, a camera and a checkout lane',
      rig
        ? `  over MQTT, plus ${rig.devices.length} serial devices on PTYs driven by the firmware emulators (${rig.devices.map((d) => d.id).join(', ')}).`
        : '  over MQTT (install socat to add serial devices driven by the firmware emulators).',
      '',
      `  Dashboard            ${http}/dashboard/   log in as demo / ${password}  (demo only)`,
      `  API token            ${token}  (demo only; curl -H 'Authorization: Bearer …')`,
      `  Devices and health   ${http}/api/devices`,
      `  Shelf stock          ${http}/api/shelves`,
      `  Footfall             ${http}/api/footfall   occupancy ${http}/api/occupancy`,
      `  Checkout lanes       ${http}/api/lanes`,
      `  Metrics              ${http}/metrics        health ${http}/healthz`,
      `  Outbox               node dist/gateway/src/cli/bin.js --config ${dir}/storegate.yaml outbox status`,
      `  MQTT broker          mqtt://localhost:${brokerPort} (devices authenticate; see storegate device list)`,
      `  Data                 ${dir}`,
      '',
      'Ctrl-C stops it gracefully.',
      '',
    ].join('\n'),
  );
  writeFileSync(resolve(dir, 'storegate.yaml'), `data_dir: ${dir}\nstore:\n  id: demo-store\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    await sims.stop();
    await rig?.stop();
    await gateway.stop('demo stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
