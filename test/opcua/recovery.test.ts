import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RebuildReason } from '../../gateway/src/connectors/opcua/opcua-metrics.js';
import { freePort } from '../support/peers.js';
import { buildHarness, waitFor } from './connector-harness.js';
import { type RepublishBehaviour, TestOpcuaServer } from './opcua-test-server.js';
import {
  expectRecovered,
  MAX_REQUESTS_PER_S,
  rebuilds,
  recoveryConfig,
  state,
  TEMP,
} from './recovery-support.js';
import { TcpBlipProxy } from './tcp-proxy.js';

const pkiDir = mkdtempSync(join(tmpdir(), 'sg-opcua-server-pki-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

/** Generous for a loaded 2-core machine; a stalled attempt is cut at this bound (reconnect.attempt_timeout_ms). */
const ATTEMPT_TIMEOUT_MS = 8_000;

async function connectedTo(republish: RepublishBehaviour, viaProxy: boolean) {
  const server = new TestOpcuaServer(await freePort(), pkiDir, republish);
  cleanups.push(() => server.stop());
  await server.start(3);
  let proxy: TcpBlipProxy | null = null;
  if (viaProxy) {
    proxy = new TcpBlipProxy(server.port);
    cleanups.push(() => proxy?.stop());
    await proxy.start();
  }
  const h = buildHarness(recoveryConfig(proxy?.url ?? server.url, ATTEMPT_TIMEOUT_MS));
  cleanups.push(() => h.close());
  await h.feature.start();
  await waitFor('first reading', () => h.recorder.of(TEMP)[0]?.value === 3);
  await waitFor('connected', () => state(h) === 'connected');
  return { server, proxy, h };
}

/**
 * What a recovery may cost the server, as counts. Before this bound node-opcua sent 1,400–5,000 Republish
 * requests a second to the asyncua-style server, for as long as the gateway ran. A compliant server ends the
 * loop with its first answer; the asyncua answer (sequence number 0) is recognised on the first one, a few more
 * may be in flight until the client is closed; each recovery attempt creates one session.
 */
const REPUBLISH_BOUND: Record<RepublishBehaviour, number> = {
  compliant: 5,
  asyncua: 10,
  // Unrecognisable: at most MAX_REQUESTS_PER_S in any second, for at most one attempt.
  echo: MAX_REQUESTS_PER_S * (ATTEMPT_TIMEOUT_MS / 1_000 + 1),
};
const SESSION_BOUND = 5;

async function expectBoundedCost(
  server: TestOpcuaServer,
  sessionsBefore: number,
  republish: RepublishBehaviour,
) {
  expect(server.requestCount('RepublishRequest')).toBeLessThanOrEqual(REPUBLISH_BOUND[republish]);
  expect(server.requestCount('CreateSessionRequest') - sessionsBefore).toBeLessThanOrEqual(SESSION_BOUND);
}

const REBUILD_REASONS = [
  'connect_failed',
  'build_failed',
  'stalled',
  'silent',
  'request_rate',
  'endless_republish',
  'library_gave_up',
] as const satisfies readonly RebuildReason[];

async function expectCutBy(
  h: ReturnType<typeof buildHarness>,
  server: TestOpcuaServer,
  republish: RepublishBehaviour,
) {
  const counts: Record<string, number> = {};
  for (const reason of REBUILD_REASONS) counts[reason] = await rebuilds(h, reason);
  // On failure: which path the recovery took, and whether the server ever saw the Republish loop.
  const how = `rebuilds ${JSON.stringify(counts)}, Republish requests ${server.requestCount('RepublishRequest')}`;
  const { endless_republish: endless = 0, request_rate: rate = 0, stalled = 0 } = counts;
  if (republish === 'compliant') {
    expect({ endless, rate }, how).toEqual({ endless: 0, rate: 0 }); // no guard misfires on a good server
  } else if (republish === 'asyncua') {
    // The loop starts only when node-opcua repairs its own session. On a loaded machine that repair can
    // outlast the attempt bound, which cuts it (stalled) and builds a fresh client and session: no Republish
    // is ever sent, and there is no loop to cut. Whenever the server did see Republish, the guard must fire.
    if (server.requestCount('RepublishRequest') > 0) expect(endless, how).toBeGreaterThanOrEqual(1);
    else expect(stalled + counts.connect_failed!, how).toBeGreaterThanOrEqual(1);
  } else {
    expect(rate + stalled, how).toBeGreaterThanOrEqual(1);
  }
}

describe.each(['compliant', 'asyncua'] as const)('OPC UA recovery against a %s server', (republish) => {
  it('recovers after the server restarts on the same port, at a bounded cost to the server', async () => {
    const { server, h } = await connectedTo(republish, false);
    const sessions = server.requestCount('CreateSessionRequest');
    await server.stop();
    await waitFor('reconnecting', () => state(h) === 'reconnecting');
    const beats = h.recorder.heartbeats.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(h.recorder.heartbeats.length).toBe(beats); // no heartbeat for a dead link
    await server.start(4);
    await expectRecovered(h, (v) => server.setTemp(v), 4.5);
    await expectBoundedCost(server, sessions, republish);
    await expectCutBy(h, server, republish);
  });

  it('recovers after a 1 s TCP blip that drops every connection', async () => {
    const { server, proxy, h } = await connectedTo(republish, true);
    const sessions = server.requestCount('CreateSessionRequest');
    proxy!.blip(1_000);
    await waitFor('reconnecting', () => state(h) === 'reconnecting');
    await expectRecovered(h, (v) => server.setTemp(v), 5.5);
    await expectBoundedCost(server, sessions, republish);
    await expectCutBy(h, server, republish);
  });
});

describe('OPC UA recovery against a server whose Republish loop cannot be recognised', () => {
  it('the request-rate cap (or the attempt bound) ends it and the endpoint recovers after a restart', async () => {
    const { server, h } = await connectedTo('echo', false);
    const sessions = server.requestCount('CreateSessionRequest');
    await server.stop();
    await waitFor('reconnecting', () => state(h) === 'reconnecting');
    await server.start(4);
    await expectRecovered(h, (v) => server.setTemp(v), 4.5);
    await expectBoundedCost(server, sessions, 'echo');
    await expectCutBy(h, server, 'echo');
    expect(server.requestCount('RepublishRequest')).toBeGreaterThan(0); // the loop did start
  });
});
