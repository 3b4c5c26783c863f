import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusCodes } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import { buildHarness, waitFor } from './connector-harness.js';
import { TestOpcuaServer } from './opcua-test-server.js';

const pkiDir = mkdtempSync(join(tmpdir(), 'sg-opcua-server-pki-'));
let server: TestOpcuaServer;
let h: ReturnType<typeof buildHarness>;

function opcuaConfig(url: string) {
  return {
    reconnect: { initial_delay_ms: 100, max_delay_ms: 1_000 },
    request_timeout_ms: 3_000,
    keepalive_interval_ms: 1_000,
    heartbeat_interval_ms: 200,
    stop_timeout_ms: 2_000,
    endpoints: [
      {
        id: 'cold-room',
        url,
        publishing_interval_ms: 100,
        points: [
          {
            node_id: 'ns=1;s=Fridge3.Temp',
            name: 'fridge-3.temp',
            unit: '°C',
            sampling_interval_ms: 50,
            alarm: { max_c: 5, for_s: 0.5, hysteresis_c: 1 },
          },
          { node_id: 'ns=1;s=Fridge3.DoorOpen', name: 'fridge-3.door', sampling_interval_ms: 50 },
          { node_id: 'ns=1;s=Fridge3.NoSuchProbe', name: 'fridge-3.ghost' },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  server = new TestOpcuaServer(await freePort(), pkiDir);
  await server.start(3.5);
  h = buildHarness(opcuaConfig(server.url));
  h.registry.add({ id: 'cold-room', kind: 'plant' });
  await h.feature.start();
});

afterAll(async () => {
  await h?.close();
  await server?.stop();
  rmSync(pkiDir, { recursive: true, force: true });
});

describe('OPC UA connector against a real node-opcua server', () => {
  it('turns data changes into plant.value readings with source time and quality', async () => {
    const first = await waitFor('initial temperature', () => h.recorder.of('fridge-3.temp')[0]);
    expect(first).toMatchObject({
      deviceId: 'cold-room',
      source: 'opcua',
      value: 3.5,
      unit: '°C',
      quality: 'good',
    });
    await waitFor('initial door state', () => h.recorder.of('fridge-3.door')[0]?.value === false);

    const before = Date.now();
    server.setTemp(4.25);
    const changed = await waitFor('4.25', () => h.recorder.of('fridge-3.temp').find((r) => r.value === 4.25));
    expect(changed.deviceTime).toBeGreaterThanOrEqual(before - 5);
    expect(changed.receivedAt).toBeGreaterThanOrEqual(changed.deviceTime!);
    server.setDoor(true);
    await waitFor('door open', () => h.recorder.of('fridge-3.door').some((r) => r.value === true));

    expect(await h.metric('storegate_opcua_connected', { endpoint: 'cold-room' })).toBe(1);
    expect(
      await h.metric('storegate_opcua_data_changes_total', { endpoint: 'cold-room', quality: 'good' }),
    ).toBeGreaterThanOrEqual(4);
    expect(h.ctx.deviceStats.get('cold-room')).toMatchObject({ connected: true });
    expect(h.ctx.deviceStats.get('cold-room')!.accepted).toBeGreaterThanOrEqual(4);
  });

  it('sends device.status heartbeats while the subscription is alive (OPC UA reports changes only)', async () => {
    await waitFor('two heartbeats', () => h.recorder.heartbeats.length >= 2);
    expect(h.recorder.heartbeats[0]).toMatchObject({
      type: 'device.status',
      deviceId: 'cold-room',
      source: 'opcua',
      quality: 'good',
    });
  });

  it('records last-seen for a registered endpoint', async () => {
    // The SQLite registry persists touches in batches; wait for it rather than assume a flush interval.
    await waitFor('registry last seen', () => h.registry.get('cold-room')?.lastSeenAt, 10_000);
  });

  it('a node id that does not exist is logged and counted; the other points keep working', async () => {
    expect(
      await h.metric('storegate_opcua_errors_total', { endpoint: 'cold-room', kind: 'monitor' }),
    ).toBeGreaterThanOrEqual(1);
    expect(h.feature.status()['cold-room']!.failedPoints['fridge-3.ghost']).toMatch(/BadNodeIdUnknown/);
    expect(h.health()).toMatch(/cold-room\/fridge-3.ghost: .*BadNodeIdUnknown/);
    expect(h.logLines.some((l) => l.msg === 'opcua endpoint error' && l.point === 'fridge-3.ghost')).toBe(
      true,
    );
    expect(await h.metric('storegate_opcua_monitored_items', { endpoint: 'cold-room' })).toBe(2);
    server.setTemp(4.5);
    await waitFor('4.5 despite the bad point', () =>
      h.recorder.of('fridge-3.temp').some((r) => r.value === 4.5),
    );
  });

  it('a Bad status becomes a reading with quality bad, not an exception', async () => {
    server.setTemp(4.6, StatusCodes.UncertainLastUsableValue);
    const uncertain = await waitFor('uncertain', () =>
      h.recorder.of('fridge-3.temp').find((r) => r.quality === 'uncertain'),
    );
    expect(uncertain.value).toBe(4.6);
    server.failTempSensor();
    const bad = await waitFor('bad', () => h.recorder.of('fridge-3.temp').find((r) => r.quality === 'bad'));
    expect(bad.value).toBe('BadSensorFailure');
    expect(
      await h.metric('storegate_opcua_data_changes_total', { endpoint: 'cold-room', quality: 'bad' }),
    ).toBe(1);
  });

  it('raises a must-deliver cold-chain alarm when the fridge stays too warm, and clears it with hysteresis', async () => {
    server.setTemp(7.5);
    await waitFor('7.5', () => h.recorder.of('fridge-3.temp').some((r) => r.value === 7.5));
    await new Promise((r) => setTimeout(r, 600));
    await h.pipeline.tick(Date.now()); // the gateway's PipelineTicker does this every second
    const raised = await waitFor('alarm raised', () =>
      h.sink.events.find((e) => e.type === 'coldchain.alarm' && e.data.alarm === 'high'),
    );
    expect(raised).toMatchObject({
      stream: 'coldchain/fridge-3.temp',
      dataClass: 'must_deliver',
      data: { unit: 'fridge-3.temp', alarm: 'high', state: 'raised', value_c: 7.5, limit_c: 5 },
    });
    server.setTemp(4.5); // within hysteresis: still in alarm
    await waitFor('4.5 again', () => h.recorder.of('fridge-3.temp').at(-1)?.value === 4.5);
    server.setTemp(3.9);
    const cleared = await waitFor('alarm cleared', () =>
      h.sink.events.find(
        (e) => e.type === 'coldchain.alarm' && e.data.alarm === 'high' && e.data.state === 'cleared',
      ),
    );
    expect(cleared.data).toMatchObject({ value_c: 3.9, peak_c: 7.5 });
    // The earlier Bad-status test raised (and the good values after it cleared) a probe_fault alarm.
    expect(h.sink.events.filter((e) => e.type === 'coldchain.alarm' && e.data.alarm === 'high')).toHaveLength(
      2,
    );
  });

  it('recovers when the server drops the session while the connection stays up', async () => {
    const created = await h.metric('storegate_opcua_subscriptions_created_total', { endpoint: 'cold-room' });
    expect(server.killSessions()).toBeGreaterThanOrEqual(1);
    server.setTemp(3.1);
    const deadline = Date.now() + 20_000;
    while (
      (await h.metric('storegate_opcua_subscriptions_created_total', { endpoint: 'cold-room' })) <= created
    ) {
      if (Date.now() > deadline)
        throw new Error('subscription was not re-created after the session was dropped');
      await new Promise((r) => setTimeout(r, 100));
    }
    server.setTemp(3.2);
    await waitFor('value after session loss', () =>
      h.recorder.of('fridge-3.temp').some((r) => r.value === 3.2),
    );
  });

  it('reconnects after the server restarts on the same port and re-creates the subscription', async () => {
    const created = await h.metric('storegate_opcua_subscriptions_created_total', { endpoint: 'cold-room' });
    await server.stop();
    await waitFor('disconnected', () => h.feature.status()['cold-room']!.state === 'reconnecting');
    expect(await h.metric('storegate_opcua_connected', { endpoint: 'cold-room' })).toBe(0);
    const heartbeats = h.recorder.heartbeats.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(h.recorder.heartbeats.length).toBe(heartbeats); // no heartbeat for a dead link
    await server.start(2.75);
    const count = h.recorder.readings.length;
    await waitFor(
      'value after restart',
      () => h.recorder.readings.slice(count).find((r) => r.value === 2.75),
      30_000,
    );
    server.setTemp(3.25);
    await waitFor('change after restart', () => h.recorder.of('fridge-3.temp').some((r) => r.value === 3.25));
    server.setDoor(true);
    await waitFor('door after restart', () =>
      h.recorder.readings.slice(count).some((r) => r.point === 'fridge-3.door' && r.value === true),
    );
    expect(
      await h.metric('storegate_opcua_subscriptions_created_total', { endpoint: 'cold-room' }),
    ).toBeGreaterThan(created);
    expect(await h.metric('storegate_opcua_connected', { endpoint: 'cold-room' })).toBe(1);
    // Re-creating the subscription must not duplicate readings: each value change arrives once.
    expect(h.recorder.of('fridge-3.temp').filter((r) => r.value === 3.25)).toHaveLength(1);
    expect(h.recorder.of('fridge-3.temp').filter((r) => r.value === 2.75)).toHaveLength(1);
    console.log(JSON.stringify(h.logLines.map((l) => [l.msg, l.state ?? l.reason ?? l.error])));
  });
});
