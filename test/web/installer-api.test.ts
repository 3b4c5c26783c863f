import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '../../gateway/src/app.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { createLogger } from '../../shared/src/logger.js';
import { authedFetch, seedToken } from '../support/auth.js';
import { freePort } from '../support/peers.js';
import { BenchLoadCell, until } from './installer-support.js';

type Api = (path: string, init?: RequestInit) => Promise<Response>;
interface Session {
  id: string;
  state: string;
  question: string | null;
  messages: string[];
  error: { code: string } | null;
  calibration: { zero_grams: number; scale: number; installer: string } | null;
}

/** The installer routes of the web UI against a real gateway, with real MQTT devices and bad input. */
describe('installer API', () => {
  let gateway: Gateway;
  let base: string;
  let installer: Api;
  let viewer: Api;
  let attendant: Api;
  const cells: BenchLoadCell[] = [];

  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; lines?: unknown } }).error;

  beforeAll(async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'sg-installer-api-'));
    const config = parseConfig(
      {
        store: { id: 'installer-store' },
        data_dir: dir,
        http: { host: '127.0.0.1', port: httpPort },
        broker: { host: '127.0.0.1', port: brokerPort },
      },
      { env: {} },
    );
    gateway = await buildGateway(config, { logger: createLogger({ level: 'silent' }) });
    await gateway.start();
    base = `http://127.0.0.1:${httpPort}`;
    const at = (token: string): Api => {
      const f = authedFetch(token);
      return (path, init) => f(`${base}${path}`, init);
    };
    installer = at(seedToken(dir, 'installer', 'ines'));
    viewer = at(seedToken(dir, 'viewer', 'vera'));
    attendant = at(seedToken(dir, 'attendant', 'anna'));
  }, 60_000);

  afterAll(async () => {
    for (const c of cells) await c.stop();
    await gateway?.stop('test done');
  });

  it('adds a device with its secret and QR code; the secret connects; bad input gets SG_ codes', async () => {
    for (const who of [viewer, attendant]) {
      const denied = await who('/api/devices', json({ id: 'shelf-x', kind: 'shelf' }));
      expect(denied.status).toBe(403);
      expect((await errorOf(denied)).code).toBe('SG_FORBIDDEN');
    }
    const badKind = await installer('/api/devices', json({ id: 'shelf-x', kind: 'toaster' }));
    expect([badKind.status, (await errorOf(badKind)).code]).toEqual([400, 'SG_BAD_ARGUMENT']);
    const badId = await installer('/api/devices', json({ id: 'shelf x', kind: 'shelf' }));
    expect([badId.status, (await errorOf(badId)).code]).toEqual([400, 'SG_BAD_ARGUMENT']);
    const badLocation = await installer(
      '/api/devices',
      json({ id: 'shelf-x', kind: 'shelf', location: { room: 'b' } }),
    );
    expect((await errorOf(badLocation)).code).toBe('SG_BAD_ARGUMENT');

    const res = await installer(
      '/api/devices',
      json({ id: 'shelf-x', kind: 'shelf', location: { aisle: 'b' } }),
    );
    expect(res.status).toBe(201);
    const added = (await res.json()) as {
      secret: string;
      qr_payload: string;
      qr_png: string;
      device: { id: string };
    };
    expect(added.device.id).toBe('shelf-x');
    expect(added.qr_png).toMatch(/^data:image\/png;base64,/);
    const payload = JSON.parse(added.qr_payload) as { broker: string; device_id: string; secret: string };
    expect(payload).toMatchObject({ v: 1, device_id: 'shelf-x', secret: added.secret });
    const client = await mqtt.connectAsync(payload.broker, {
      clientId: 'shelf-x',
      username: 'shelf-x',
      password: payload.secret,
      reconnectPeriod: 0,
    });
    await client.endAsync();

    const again = await installer('/api/devices', json({ id: 'shelf-x', kind: 'shelf' }));
    expect([again.status, (await errorOf(again)).code]).toEqual([409, 'SG_DEVICE_EXISTS']);
  });

  it('imports a CSV all or nothing, listing every bad line', async () => {
    const csv = 'id,kind,aisle\nimp-1,shelf,c\nimp-2,fridge,c\nimp-3,door,\n';
    const bad = await installer('/api/devices/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(bad.status).toBe(400);
    const err = await errorOf(bad);
    expect(err.code).toBe('SG_BAD_ARGUMENT');
    expect(err.lines).toEqual([{ line: 3, message: expect.stringContaining('kind must be one of') }]);
    expect((await installer('/api/devices/imp-1')).status).toBe(404);

    const unknownColumn = await installer(
      '/api/devices/import',
      json({ csv: 'id,kind,colour\nimp-9,shelf,red\n' }),
    );
    expect((await errorOf(unknownColumn)).lines).toEqual([
      { line: 1, message: expect.stringContaining('unknown column "colour"') },
    ]);
    const notCsv = await installer('/api/devices/import', json({ csv: 'id,kind\n"imp-9,shelf\n' }));
    expect((await errorOf(notCsv)).code).toBe('SG_BAD_ARGUMENT');
    const denied = await viewer('/api/devices/import', json({ csv }));
    expect(denied.status).toBe(403);

    const good = await installer('/api/devices/import', json({ csv: csv.replace('fridge', 'door') }));
    expect(good.status).toBe(201);
    const out = (await good.json()) as { imported: number; devices: { qr_png: string }[] };
    expect(out.imported).toBe(3);
    expect(out.devices.every((d) => d.qr_png.startsWith('data:image/png'))).toBe(true);
    expect((await installer('/api/devices/imp-2')).status).toBe(200);
  });

  it('removes a device; an unknown one is SG_DEVICE_UNKNOWN; a viewer may not', async () => {
    expect((await viewer('/api/devices/imp-3', { method: 'DELETE' })).status).toBe(403);
    const unknown = await installer('/api/devices/nope', { method: 'DELETE' });
    expect([unknown.status, (await errorOf(unknown)).code]).toEqual([404, 'SG_DEVICE_UNKNOWN']);
    expect((await installer('/api/devices/imp-3', { method: 'DELETE' })).status).toBe(200);
    expect((await installer('/api/devices/imp-3')).status).toBe(404);
    const { devices } = (await (await installer('/api/devices')).json()) as { devices: { id: string }[] };
    expect(devices.map((d) => d.id)).not.toContain('imp-3');
  });

  it('runs the calibration wizard: checks the plate first, re-asks on a typo, streams the live reading, saves as the installer', async () => {
    const added = (await (
      await installer('/api/devices', json({ id: 'bench-1', kind: 'shelf' }))
    ).json()) as {
      qr_payload: string;
    };
    const plate = { device: 'bench-1', channel: 0, sku: 'tin-400', unit_grams: 400, capacity: 10 };
    expect((await installer('/api/planogram', { ...json({ plates: [plate] }), method: 'PUT' })).status).toBe(
      200,
    );

    const unknown = await installer('/api/calibration-sessions', json({ device: 'bench-1', channel: 5 }));
    expect([unknown.status, (await errorOf(unknown)).code]).toEqual([404, 'SG_DEVICE_UNKNOWN']);
    const silent = await installer('/api/calibration-sessions', json({ device: 'bench-1', channel: 0 }));
    expect([silent.status, (await errorOf(silent)).code]).toEqual([503, 'SG_NOT_READY']);
    const badBody = await installer(
      '/api/calibration-sessions',
      json({ device: 'bench-1', channel: 'zero' }),
    );
    expect((await errorOf(badBody)).code).toBe('SG_BAD_ARGUMENT');
    expect((await viewer('/api/calibration-sessions', json({ device: 'bench-1', channel: 0 }))).status).toBe(
      403,
    );

    const cell = await BenchLoadCell.connect(JSON.parse(added.qr_payload));
    cells.push(cell);
    cell.level = 812;
    const started = await until('plate sending', async () => {
      const r = await installer(
        '/api/calibration-sessions',
        json({ device: 'bench-1', channel: 0, measure_ms: 600 }),
      );
      return r.status === 201 ? ((await r.json()) as Session) : undefined;
    });
    const busy = await installer('/api/calibration-sessions', json({ device: 'bench-1', channel: 0 }));
    expect((await errorOf(busy)).code).toBe('SG_CONFLICT');

    // The live stream follows the plate while the installer works.
    const live = await installer('/api/shelves/bench-1/0/live');
    expect(live.headers.get('content-type')).toContain('text/event-stream');
    const reader = live.body!.getReader();
    const means: number[] = [];
    const readMean = async (predicate: (m: number) => boolean) => {
      let text = '';
      for (;;) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        for (const m of text.matchAll(/data: (\{.*\})\n/g)) {
          const mean = (JSON.parse(m[1]!) as { mean: number | null }).mean;
          if (mean !== null) means.push(mean);
          if (mean !== null && predicate(mean)) return mean;
        }
        text = text.slice(text.lastIndexOf('\n'));
      }
    };

    const asked = (s: Session) => s.state === 'asking' || s.state === 'failed' || s.state === 'saved';
    const answer = async (text: string, expectQuestion: RegExp): Promise<Session> => {
      const s = await until('a question', async () => {
        const v = (await (await installer(`/api/calibration-sessions/${started.id}`)).json()) as Session;
        return asked(v) ? v : undefined;
      });
      expect(s.error).toBeNull();
      expect(s.question).toMatch(expectQuestion);
      const r = await installer(`/api/calibration-sessions/${started.id}/answer`, json({ answer: text }));
      expect(r.status).toBe(200);
      return (await r.json()) as Session;
    };
    expect(await readMean((m) => Math.abs(m - 812) < 2)).toBeCloseTo(812, 0);
    await answer('', /Empty the plate/);
    await answer('five hundred', /span weight in grams/);
    const retried = await answer('500', /span weight in grams/);
    expect(retried.messages.join('\n')).toContain('"five hundred" is not a weight in grams');
    cell.level = 812 + 500 * 2.5;
    expect(await readMean((m) => Math.abs(m - 2062) < 2)).toBeCloseTo(2062, 0);
    await answer('', /Put the 500 g weight/);
    await answer('', /Second weight/);
    await answer('bench test', /Installer note/);
    const done = await until('saved', async () => {
      const v = (await (await installer(`/api/calibration-sessions/${started.id}`)).json()) as Session;
      return v.state === 'saved' || v.state === 'failed' ? v : undefined;
    });
    expect(done.error).toBeNull();
    expect(done.calibration!.scale).toBeCloseTo(0.4, 2);
    expect(done.calibration!.zero_grams).toBeCloseTo(812, 0);
    await reader.cancel();
    const saved = (await (await installer('/api/calibrations')).json()) as {
      calibrations: { device: string; installer: string }[];
    };
    expect(saved.calibrations.find((c) => c.device === 'bench-1')?.installer).toContain('ines');
    const late = await installer(`/api/calibration-sessions/${started.id}/answer`, json({ answer: 'x' }));
    expect((await errorOf(late)).code).toBe('SG_CONFLICT');
    expect(means.length).toBeGreaterThan(2);
  }, 60_000);

  it('imports a catalog; a bad document is SG_PAYLOAD_REJECTED and changes nothing', async () => {
    const bad = await installer('/api/checkout/catalog', json({ items: [{ gtin: 'x' }] }));
    expect([bad.status, (await errorOf(bad)).code]).toEqual([400, 'SG_PAYLOAD_REJECTED']);
    const notJson = await installer('/api/checkout/catalog', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"items": [',
    });
    expect((await errorOf(notJson)).code).toBe('SG_BAD_ARGUMENT');
    expect((await attendant('/api/checkout/catalog', json({ items: [] }))).status).toBe(403);
    const good = await installer(
      '/api/checkout/catalog',
      json({ items: [{ gtin: '4006381333931', sku: 'pen', grams: 12 }] }),
    );
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ applied: true, items: 1 });
    const v = (await (await viewer('/api/checkout/catalog')).json()) as { items: number };
    expect(v.items).toBe(1);
  });
});
