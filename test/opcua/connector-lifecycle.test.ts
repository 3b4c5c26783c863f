import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { freePort } from '../support/peers.js';
import { buildHarness, waitFor } from './connector-harness.js';
import { TestOpcuaServer } from './opcua-test-server.js';

const pkiDir = mkdtempSync(join(tmpdir(), 'sg-opcua-server-pki-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

function endpoint(url: string, withGhostPoint = true) {
  const ghost = { node_id: 'ns=1;s=Fridge3.NoSuchProbe', name: 'fridge-3.ghost' };
  return {
    id: 'cold-room',
    url,
    publishing_interval_ms: 100,
    points: [
      { node_id: 'ns=1;s=Fridge3.Temp', name: 'fridge-3.temp', sampling_interval_ms: 50 },
      ...(withGhostPoint ? [ghost] : []),
    ],
  };
}

const fast = { reconnect: { initial_delay_ms: 100, max_delay_ms: 800 }, stop_timeout_ms: 2_000 };

describe('OPC UA connector lifecycle', () => {
  it('an unreachable endpoint neither blocks start nor throws; it is retried (logs throttled) and connects later', async () => {
    const port = await freePort();
    const h = buildHarness({ ...fast, endpoints: [endpoint(`opc.tcp://127.0.0.1:${port}`)] });
    cleanups.push(() => h.close());
    const startedAt = Date.now();
    await h.feature.start();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(h.feature.status()['cold-room']!.state).toBe('connecting');
    const deadline = Date.now() + 20_000;
    while ((await h.metric('storegate_opcua_errors_total', { endpoint: 'cold-room', kind: 'connect' })) < 6) {
      if (Date.now() > deadline) throw new Error('connect failures were not counted');
      await new Promise((r) => setTimeout(r, 100));
    }
    const connectLogs = h.logLines.filter((l) => l.msg === 'opcua endpoint error' && l.kind === 'connect');
    expect(connectLogs.length).toBeGreaterThanOrEqual(1);
    expect(connectLogs.length).toBeLessThanOrEqual(5); // createLogThrottle burst per minute
    expect(await h.metric('storegate_opcua_connected', { endpoint: 'cold-room' })).toBe(0);

    const server = new TestOpcuaServer(port, pkiDir);
    cleanups.push(() => server.stop());
    await server.start(2.5);
    await waitFor(
      'first reading once the server is up',
      () => h.recorder.of('fridge-3.temp')[0]?.value === 2.5,
      20_000,
    );
    // Not a registered device: readings still flow, nothing is touched, nothing crashes.
    expect(h.registry.get('cold-room')).toBeUndefined();
  });

  it('stop() is bounded while the endpoint is down and the client is retrying', async () => {
    const port = await freePort();
    const h = buildHarness({ ...fast, endpoints: [endpoint(`opc.tcp://127.0.0.1:${port}`)] });
    cleanups.push(() => h.close());
    await h.feature.start();
    await new Promise((r) => setTimeout(r, 700));
    const t = Date.now();
    await h.feature.stop();
    expect(Date.now() - t).toBeLessThan(2_500);
    expect(h.feature.status()).toEqual({});
  });

  it('a subscription that goes silent (session dropped, no keep-alive read yet) is detected and re-created', async () => {
    const server = new TestOpcuaServer(await freePort(), pkiDir);
    cleanups.push(() => server.stop());
    await server.start(5);
    // Keep-alive reads far apart: only the subscription watchdog (3 × 10 × publishing interval) can notice.
    const h = buildHarness({
      ...fast,
      keepalive_interval_ms: 300_000,
      endpoints: [endpoint(server.url, false)],
    });
    cleanups.push(() => h.close());
    await h.feature.start();
    await waitFor('first reading', () => h.recorder.of('fridge-3.temp')[0]);
    server.killSessions();
    const deadline = Date.now() + 20_000;
    while ((await h.metric('storegate_opcua_subscriptions_created_total', { endpoint: 'cold-room' })) < 2) {
      if (Date.now() > deadline) throw new Error('the silent subscription was not re-created');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      h.logLines.some(
        (l) => l.kind === 'subscription' && /no notification or keep-alive/.test(String(l.error)),
      ),
    ).toBe(true);
    server.setTemp(5.5);
    await waitFor('value after the watchdog rebuilt it', () =>
      h.recorder.of('fridge-3.temp').some((r) => r.value === 5.5),
    );
  });

  it('is wired into the gateway: /metrics exports connector metrics and /healthz names the failing point', async () => {
    const server = new TestOpcuaServer(await freePort(), pkiDir);
    cleanups.push(() => server.stop());
    await server.start(4);
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-opcua-gw-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = parseConfig({
      data_dir: dataDir,
      http: { host: '127.0.0.1', port: 0 },
      broker: { host: '127.0.0.1', port: 0 },
      opcua: { ...fast, endpoints: [endpoint(server.url)] },
    });
    const sink = new MemoryEventSink();
    const gateway: Gateway = await buildGateway(config, { events: sink, logger: pino({ level: 'silent' }) });
    cleanups.push(() => gateway.stop('test'));
    await gateway.start();
    const base = gateway.addresses().http!;
    await waitFor(
      'a reading',
      () => (gateway.context.deviceStats.get('cold-room')?.accepted ?? 0) > 0,
      15_000,
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/storegate_opcua_connected\{endpoint="cold-room"\} 1/);
    expect(metrics).toMatch(
      /storegate_opcua_data_changes_total\{endpoint="cold-room",quality="good"\} [1-9]/,
    );
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { problems: Record<string, string> }).problems.opcua).toMatch(
      /cold-room\/fridge-3.ghost: .*BadNodeIdUnknown/,
    );
  });
});
