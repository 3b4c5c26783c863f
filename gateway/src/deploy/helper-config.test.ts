import { chmodSync, chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { boundedForRoot, HELPER_BOUNDS, loadConfigAsOwner } from './helper-config.js';

const NOBODY = 65534;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string, owner?: number): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  if (owner !== undefined) chownSync(dir, owner, owner);
  return dir;
}

const own = new Set(['0.0.0.0', '127.0.0.1', '192.168.7.2']);

describe('what storegate.yaml may decide for the root upgrade helper', () => {
  it('only timings within bounds; no remote_runner; the health probe stays on this machine', () => {
    const config = parseConfig({
      http: { host: '10.9.9.9', port: 9000 },
      upgrade: {
        health_deadline_ms: 1_000,
        max_wait_ms: 10 ** 12,
        poll_interval_ms: 100,
        remote_runner: ['/tmp/x'],
      },
    });
    const bounded = boundedForRoot(config, own);
    expect(bounded.upgrade.health_deadline_ms).toBe(HELPER_BOUNDS.health_deadline_ms.min);
    expect(bounded.upgrade.max_wait_ms).toBe(HELPER_BOUNDS.max_wait_ms.max);
    expect(bounded.upgrade.poll_interval_ms).toBe(HELPER_BOUNDS.poll_interval_ms.min);
    expect(bounded.upgrade.remote_runner).toBeUndefined();
    expect(bounded.http).toMatchObject({ host: '127.0.0.1', port: 9000 });

    const long = boundedForRoot(parseConfig({ upgrade: { health_deadline_ms: 10 ** 9 } }), own);
    expect(long.upgrade.health_deadline_ms).toBe(HELPER_BOUNDS.health_deadline_ms.max);
    const usual = boundedForRoot(parseConfig({ http: { host: '192.168.7.2' } }), own);
    expect(usual.upgrade.health_deadline_ms).toBe(120_000);
    expect(usual.http.host).toBe('192.168.7.2');
  });

  it('reads storegate.yaml as the owner of data_dir: a symlink to a root-only file is not read', () => {
    expect(process.geteuid?.(), 'this test chowns a data_dir to uid 65534: run it as root').toBe(0);
    const data = tempDir('sg-owned-data-', NOBODY);
    const etc = tempDir('sg-owned-etc-', NOBODY);
    const secrets = tempDir('sg-root-only-');
    writeFileSync(join(secrets, 'shadow'), 'root:$6$very-secret-hash:[unclosed\n', { mode: 0o600 });
    symlinkSync(join(secrets, 'shadow'), join(etc, 'storegate.yaml'));
    let message = '';
    try {
      loadConfigAsOwner(join(etc, 'storegate.yaml'), data);
    } catch (err) {
      message = String((err as Error).message);
      expect(err).toMatchObject({ code: 'SG_CONFIG_NOT_FOUND' });
    }
    expect(message).toMatch(/as uid 65534: EACCES/);
    expect(message).not.toContain('very-secret');

    writeFileSync(join(etc, 'real.yaml'), `data_dir: ${data}\nupgrade:\n  health_deadline_ms: 60000\n`);
    chownSync(join(etc, 'real.yaml'), NOBODY, NOBODY);
    chmodSync(join(etc, 'real.yaml'), 0o600);
    const config = loadConfigAsOwner(join(etc, 'real.yaml'), data);
    expect(config.dataDir).toBe(data);
    expect(config.upgrade.health_deadline_ms).toBe(60_000);
  });
});
