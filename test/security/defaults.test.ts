import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startGateway, writeConfig } from '../cli/support.js';
import { freePort } from '../support/peers.js';

/** Hardened defaults of a real `storegate start`: file modes, and no credential in any log line or CLI output. */
describe('defaults: owner-only files, secrets redacted from logs and CLI output', () => {
  let dir: string;
  let config: string;
  let httpPort: number;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sg-sec-defaults-'));
    httpPort = await freePort();
    const dead = await freePort();
    config = writeConfig(
      dir,
      [
        'data_dir: ./data',
        'log: { level: info }',
        `broker: { host: 127.0.0.1, port: ${await freePort()} }`,
        `http: { host: 127.0.0.1, port: ${httpPort} }`,
        `cloud: { url: "mqtt://store7:hunter2-s3cret@127.0.0.1:${dead}", connect_timeout_ms: 500 }`,
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('data dir 0700, databases 0600; cloud.url credentials appear in no log line and not in doctor', async () => {
    const gw = await startGateway(config, httpPort);
    try {
      await new Promise((r) => setTimeout(r, 1_500)); // a few failed cloud connects get logged meanwhile
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
      for (const f of ['registry.db', 'outbox.db']) {
        expect(statSync(join(dir, 'data', f)).mode & 0o777, f).toBe(0o600);
      }
      const doctor = await runCli(config, ['doctor']);
      const doctorJson = await runCli(config, ['doctor', '--json']);
      for (const out of [doctor.stdout + doctor.stderr, doctorJson.stdout]) {
        expect(out).toContain('mqtt://***@127.0.0.1');
        expect(out).not.toContain('hunter2');
      }
    } finally {
      await gw.stop();
    }
    expect(gw.output()).toMatch(/cloud/);
    expect(gw.output()).not.toContain('hunter2');
  });
});
