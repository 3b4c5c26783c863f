import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import type { AuditEntry } from '../../gateway/src/ports/audit-log.js';
import { freePort } from '../support/peers.js';

export interface TargetGateway {
  gw: Gateway;
  dir: string;
  base: string;
  httpPort: number;
  brokerPort: number;
  events: StoreEvent[];
  audit(action?: string): AuditEntry[];
  close(): Promise<void>;
}

/** The attacker's target: a real gateway (HTTP, embedded broker, SQLite registry and outbox) on free ports. */
export async function startTarget(extra: Record<string, unknown> = {}): Promise<TargetGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-sec-'));
  writeFileSync(
    join(dir, 'planogram.json'),
    JSON.stringify({
      plates: [
        {
          device: 'shelf-a3',
          channel: 0,
          sku: 'cola-330',
          unit_grams: 352,
          tolerance_grams: 6,
          capacity: 24,
        },
      ],
    }),
  );
  const [httpPort, brokerPort] = [await freePort(), await freePort()];
  const config = parseConfig(
    {
      data_dir: join(dir, 'data'),
      log: { level: 'fatal' },
      http: { host: '127.0.0.1', port: httpPort },
      broker: { host: '127.0.0.1', port: brokerPort },
      shelves: { planogram: 'planogram.json' },
      checkout: { lanes: [{ id: 'lane-1', scanner: 'scan-1', scale: 'scale-1' }] },
      ...extra,
    },
    { env: {}, baseDir: dir, configFile: join(dir, 'storegate.yaml') },
  );
  const gw = await buildGateway(config, { logger: pino({ level: process.env.SG_TEST_LOG ?? 'silent' }) });
  const events: StoreEvent[] = [];
  gw.context.live.on('events', (evs) => events.push(...evs));
  await gw.start();
  return {
    gw,
    dir,
    base: `http://127.0.0.1:${httpPort}`,
    httpPort,
    brokerPort,
    events,
    audit: (action) => gw.access.audit.query({ limit: 1000, ...(action ? { action } : {}) }),
    async close() {
      await gw.stop('test');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
