import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type RunningGateway, startGateway, writeConfig } from '../cli/support.js';
import { seedUser } from '../support/auth.js';
import { freePort } from '../support/peers.js';

interface Answer {
  status: number;
  fingerprint: string;
  setCookie: string[];
}

/** One HTTPS request that accepts the self-signed certificate and reports which one it was (as a pinning client). */
function httpsRequest(port: number, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body ? 'POST' : 'GET',
        rejectUnauthorized: false,
        headers: body ? { 'content-type': 'application/json', host: `127.0.0.1:${port}` } : {},
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, fingerprint, setCookie: res.headers['set-cookie'] ?? [] }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The gateway, up once it answers HTTPS (the default probe of startGateway speaks plain HTTP). */
function startHttps(config: string, port: number): Promise<RunningGateway> {
  return startGateway(config, port, async () => (await httpsRequest(port, '/healthz')).status > 0);
}

describe('HTTPS with a generated self-signed certificate', () => {
  let dir: string;
  let config: string;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sg-https-'));
    port = await freePort();
    config = writeConfig(
      dir,
      [
        'data_dir: ./data',
        'log: { level: info }',
        `broker: { host: 127.0.0.1, port: ${await freePort()} }`,
        `http: { host: 127.0.0.1, port: ${port}, tls: {} }`,
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves only TLS, logs the fingerprint to pin, keeps the certificate across restarts, sets Secure cookies', async () => {
    const first = await startHttps(config, port);
    const certFile = join(dir, 'data', 'tls', 'http-cert.pem');
    let pinned: string;
    try {
      pinned = new X509Certificate(readFileSync(certFile)).fingerprint256;
      expect(statSync(join(dir, 'data', 'tls', 'http-key.pem')).mode & 0o777).toBe(0o600);
      expect(first.output()).toContain(pinned);
      expect((await httpsRequest(port, '/healthz')).fingerprint).toBe(pinned);
      // Plain HTTP on the same port gets no API answer.
      const plain = await fetch(`http://127.0.0.1:${port}/api/devices`).then(
        (r) => r.status,
        () => 'refused',
      );
      expect(plain).not.toBe(200);

      seedUser(join(dir, 'data'), 'ops', 'admin', 'correct horse battery');
      const login = await httpsRequest(
        port,
        '/api/auth/login',
        JSON.stringify({ name: 'ops', password: 'correct horse battery' }),
      );
      expect(login.status).toBe(200);
      const session = login.setCookie.find((c) => /HttpOnly/i.test(c));
      expect(session).toMatch(/;\s*Secure/i);
    } finally {
      await first.stop();
    }
    const second = await startHttps(config, port);
    try {
      expect((await httpsRequest(port, '/healthz')).fingerprint).toBe(pinned);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
