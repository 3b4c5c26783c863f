import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { authedFetch, seedToken } from '../support/auth.js';

describe('feature isolation (a real gateway, real sockets)', () => {
  let gateway: Gateway | null = null;
  let dir = '';
  afterEach(async () => {
    await gateway?.stop();
    gateway = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a feature that cannot start is degraded in /healthz and /metrics while the rest runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-isolation-'));
    const dataDir = join(dir, 'data');
    // A directory where the lane catalog database should be: the checkout feature cannot open it.
    mkdirSync(join(dataDir, 'checkout.db'), { recursive: true });
    const config = parseConfig(
      {
        data_dir: dataDir,
        log: { level: 'fatal' },
        http: { host: '127.0.0.1', port: 0 },
        broker: { host: '127.0.0.1', port: 0 },
        checkout: { lanes: [{ id: 'lane-1', scanner: 'scan-1', scale: 'scale-1' }] },
      },
      { env: {}, baseDir: dir },
    );
    gateway = await buildGateway(config, { logger: pino({ level: 'silent' }) });
    await gateway.start();
    const base = `http://${gateway.addresses().http!.replace(/^https?:\/\//, '')}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; problems: Record<string, string> };
    expect(body.status).toBe('degraded');
    expect(Object.keys(body.problems)).toEqual(['checkout']);
    expect(body.problems.checkout).toMatch(/^failed to start: /);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('storegate_feature_up{feature="checkout"} 0');
    expect(metrics).toContain('storegate_feature_up{feature="shelves"} 1');
    expect(metrics).toContain('storegate_feature_up{feature="broker"} 1');
    // The lane routes were never registered; other features answer.
    const api = authedFetch(seedToken(config.dataDir));
    expect((await api(`${base}/api/lanes`)).status).toBe(404);
    expect((await api(`${base}/api/shelves`)).status).toBe(200);

    // Device ingest still works: a registered device logs in to the broker and is accepted.
    const secret = gateway.context.registry.add({ id: 'door-1', kind: 'door' }).secret;
    const client = await mqtt.connectAsync(gateway.addresses().mqtt_tcp!, {
      clientId: 'door-1',
      username: 'door-1',
      password: secret,
      reconnectPeriod: 0,
    });
    await client.publishAsync('devices/door-1/door', JSON.stringify({ in: 3, out: 1 }), { qos: 1 });
    await client.endAsync();
    expect(gateway.context.deviceStats.get('door-1')?.accepted).toBe(1);
  });
});
