import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { loadConfig } from '../../gateway/src/config/load.js';
import type { CheckoutFeature } from '../../gateway/src/features/checkout/feature.js';
import { MemoryEventSink } from '../../gateway/src/ports/pipeline.js';
import { freePort } from '../support/peers.js';

const BIN = 'dist/gateway/src/cli/bin.js';
let dir: string;
let configFile: string;
let gateway: Gateway;

/** Asynchronous on purpose: the gateway under test runs in this process and must keep answering. */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '-c', configFile, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: run npx tsc -p tsconfig.json first`);
  dir = mkdtempSync(join(tmpdir(), 'sg-lane-cli-'));
  configFile = join(dir, 'storegate.yaml');
  const port = await freePort();
  writeFileSync(
    configFile,
    [
      'data_dir: ./data',
      'log: { level: fatal }',
      `http: { host: 127.0.0.1, port: ${port} }`,
      'broker: { host: 127.0.0.1, port: 0 }',
      'checkout:',
      '  lanes:',
      '    - { id: lane-1, scanner: scan-1, scale: scale-1, pos: pos-1 }',
    ].join('\n'),
  );
  gateway = await buildGateway(loadConfig(configFile), {
    events: new MemoryEventSink(),
    logger: pino({ level: 'silent' }),
  });
  await gateway.start();
});

afterAll(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('storegate lane / catalog (spawned CLI against a running gateway)', () => {
  it('lane list shows configured lanes and devices; status reads the live state', async () => {
    const list = await cli('lane', 'list', '--json');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({
      lanes: [{ lane: 'lane-1', devices: { scanner: 'scan-1', scale: 'scale-1', pos: 'pos-1' } }],
    });
    const status = await cli('lane', 'status', 'lane-1', '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ lane: 'lane-1', phase: 'idle', alert: null });
    expect((await cli('lane', 'status')).stdout).toMatch(/lane-1.*idle/);
  });

  it('attendant actions need an open alert, a known lane and a note', async () => {
    const none = await cli('lane', 'clear', 'lane-1', '--note', 'checked');
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no open alert on this lane/);
    const unknown = await cli('lane', 'override', 'lane-7', '--note', 'x');
    expect(unknown.stderr).toMatch(/no lane lane-7/);
    expect((await cli('lane', 'clear', 'lane-1')).status).toBe(2); // --note is required
  });

  it('learned weights held by the drift bound are listed; confirming one nothing was learned for is refused', async () => {
    const held = await cli('lane', 'learned', '--json');
    expect(held.status).toBe(0);
    expect(JSON.parse(held.stdout)).toEqual({ held: [] });
    expect((await cli('lane', 'learned')).stdout).toMatch(/no learned weight is held back/);
    const confirm = await cli('lane', 'confirm-weight', '5012345678900');
    expect(confirm.status).toBe(1);
    expect(confirm.stderr).toMatch(/nothing learned for 05012345678900/);
  });

  it('catalog import while the gateway runs is picked up by it', async () => {
    const file = join(dir, 'catalog.json');
    writeFileSync(file, JSON.stringify({ items: [{ gtin: '5012345678900', sku: 'cola-330', grams: 352 }] }));
    const r = await cli('catalog', 'import', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/catalog version 1 applied \(1 items\)/);
    const checkout = gateway.features.find((f) => f.name === 'checkout') as CheckoutFeature;
    const deadline = Date.now() + 10_000;
    while (!checkout.catalog.get('5012345678900') && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 100));
    expect(checkout.catalog.get('5012345678900')?.sku).toBe('cola-330');
  });
});
