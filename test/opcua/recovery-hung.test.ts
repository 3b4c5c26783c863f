import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import { ChildOpcuaServer } from './child-opcua-server.js';
import { buildHarness, waitFor } from './connector-harness.js';
import {
  expectRecovered,
  MAX_REQUESTS_PER_S,
  rebuilds,
  recoveryConfig,
  requestsSent,
  state,
  TEMP,
} from './recovery-support.js';

const pkiDir = mkdtempSync(join(tmpdir(), 'sg-opcua-server-pki-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

async function allRebuilds(h: ReturnType<typeof buildHarness>): Promise<number> {
  let total = 0;
  for (const reason of ['connect_failed', 'build_failed', 'stalled', 'silent', 'library_gave_up']) {
    total += await rebuilds(h, reason);
  }
  return total;
}

describe('OPC UA recovery from a hung server', () => {
  it('a frozen server (SIGSTOP) is detected, retried on fresh clients without a request storm, and recovered from after SIGCONT', async () => {
    const server = await ChildOpcuaServer.start(await freePort(), pkiDir, 3);
    cleanups.push(() => server.stop());
    const h = buildHarness(recoveryConfig(server.url, 4_000));
    cleanups.push(() => h.close());
    await h.feature.start();
    await waitFor('first reading', () => h.recorder.of(TEMP)[0]?.value === 3);
    await waitFor('connected', () => state(h) === 'connected');

    const sentBefore = await requestsSent(h);
    server.freeze();
    // The TCP connection stays up and nothing is refused: only silence tells.
    await waitFor('the hang noticed', () => state(h) === 'reconnecting', 20_000);
    const beats = h.recorder.heartbeats.length;
    // Each attempt on the frozen server is cut at its bound and the next one runs on a fresh client.
    const deadline = Date.now() + 30_000;
    while ((await allRebuilds(h)) < 2) {
      if (Date.now() > deadline) throw new Error('no fresh client was built while the server hung');
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor('/healthz reports the endpoint', () => /cold-room reconnecting/.test(h.health() ?? ''));
    expect(h.recorder.heartbeats.length).toBe(beats); // heartbeats follow the real state
    expect(await h.metric('storegate_opcua_connected', { endpoint: 'cold-room' })).toBe(0);
    // Nothing loops against a server that does not answer.
    expect((await requestsSent(h)) - sentBefore).toBeLessThanOrEqual(MAX_REQUESTS_PER_S);

    server.thaw();
    await expectRecovered(h, (v) => server.setTemp(v), 6.5);
    expect(await server.requests()).toBeLessThanOrEqual(3 * MAX_REQUESTS_PER_S);
  });
});
