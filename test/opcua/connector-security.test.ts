import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import { buildHarness, waitFor } from './connector-harness.js';
import { TestOpcuaServer } from './opcua-test-server.js';

const pkiDir = mkdtempSync(join(tmpdir(), 'sg-opcua-server-pki-'));
let server: TestOpcuaServer;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  server = new TestOpcuaServer(await freePort(), pkiDir);
  await server.start(3.5, { users: { ops: 'cold-chain-2026' } });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await server?.stop();
  rmSync(pkiDir, { recursive: true, force: true });
});

function harness(extra: Record<string, unknown>, section: Record<string, unknown> = {}) {
  const h = buildHarness({
    ...section,
    reconnect: { initial_delay_ms: 100, max_delay_ms: 500 },
    endpoints: [
      {
        id: 'cold-room',
        url: server.url,
        publishing_interval_ms: 100,
        points: [{ node_id: 'ns=1;s=Fridge3.Temp', name: 'fridge-3.temp', sampling_interval_ms: 50 }],
        ...extra,
      },
    ],
  });
  cleanups.push(() => h.close());
  return h;
}

describe('OPC UA connector security and credentials', () => {
  it('wrong credentials: a clear, counted session error and retries; no readings, no crash', async () => {
    const h = harness({ username: 'ops', password: 'wrong' });
    await h.feature.start();
    const deadline = Date.now() + 15_000;
    while ((await h.metric('storegate_opcua_errors_total', { endpoint: 'cold-room', kind: 'session' })) < 2) {
      if (Date.now() > deadline) throw new Error('session errors were not counted');
      await new Promise((r) => setTimeout(r, 100));
    }
    const logged = h.logLines.find((l) => l.msg === 'opcua endpoint error' && l.kind === 'session');
    expect(String(logged?.error)).toMatch(
      /BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/,
    );
    expect(h.recorder.readings).toEqual([]);
    expect(h.feature.status()['cold-room']!.state).not.toBe('connected');
  });

  it('SignAndEncrypt: an unknown server certificate is refused by default (counted, logged) until moved to trusted', async () => {
    const h = harness({ security_mode: 'SignAndEncrypt', security_policy: 'Basic256Sha256' });
    await h.feature.start();
    const deadline = Date.now() + 15_000;
    while ((await h.metric('storegate_opcua_errors_total', { endpoint: 'cold-room' })) < 1) {
      if (Date.now() > deadline) throw new Error('untrusted server certificate was not reported');
      await new Promise((r) => setTimeout(r, 100));
    }
    const refusal = h.logLines.find((l) => l.msg === 'opcua endpoint error' && l.kind === 'connect');
    expect(String(refusal?.error)).toMatch(/BadCertificateUntrusted/);
    expect(h.recorder.readings).toEqual([]);
    expect(h.feature.status()['cold-room']!.state).not.toBe('connected');
    // The operator's fix (docs/opcua.md): move the rejected server certificate to trusted/certs.
    const pki = join(h.ctx.config.dataDir, 'opcua-pki');
    const rejected = await waitFor('rejected certificate', () => {
      const files = existsSync(join(pki, 'rejected')) ? readdirSync(join(pki, 'rejected')) : [];
      return files.length > 0 ? files : null;
    });
    // Copy first, delete second: a file watcher updates node-opcua's index, and a certificate that is in
    // neither folder for a moment is filed under rejected/ again by the next retry.
    for (const f of rejected) copyFileSync(join(pki, 'rejected', f), join(pki, 'trusted', 'certs', f));
    await new Promise((r) => setTimeout(r, 1_500));
    for (const f of rejected) rmSync(join(pki, 'rejected', f));
    await waitFor('reading once the server is trusted', () => h.recorder.of('fridge-3.temp')[0], 20_000);
  });

  it('user name + password over SignAndEncrypt/Basic256Sha256 with a trusted server delivers readings', async () => {
    const h = harness(
      {
        username: 'ops',
        password: 'cold-chain-2026',
        security_mode: 'SignAndEncrypt',
        security_policy: 'Basic256Sha256',
      },
      { trust_unknown_server_certificates: true },
    );
    await h.feature.start();
    await waitFor(
      'reading over an encrypted channel',
      () => h.recorder.of('fridge-3.temp')[0]?.value === 3.5,
      20_000,
    );
    server.setTemp(4.75);
    await waitFor('change', () => h.recorder.of('fridge-3.temp').some((r) => r.value === 4.75));
    expect(h.ctx.deviceStats.get('cold-room')?.connected).toBe(true);
  });
});
