import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoregateError } from '../../gateway/src/core/errors.js';
import { openSqliteDeviceRegistry } from '../../gateway/src/registry/sqlite-device-registry.js';
import { ensureBuilt, runCli, writeConfig } from '../cli/support.js';
import { freePort } from '../support/peers.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => ensureBuilt());

/** A registry with enough devices to span many pages, closed cleanly (everything in the main file). */
function populated(file: string): void {
  const r = openSqliteDeviceRegistry(file, { scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } });
  for (let i = 0; i < 300; i++) r.add({ id: `shelf-${i}`, kind: 'shelf', labels: { note: 'x'.repeat(100) } });
  r.close();
}

const damages: Record<string, (file: string) => void> = {
  'garbage instead of a database': (file) =>
    writeFileSync(file, Buffer.from('not a database, just text\n'.repeat(400))),
  'zeroed file': (file) => writeFileSync(file, Buffer.alloc(statSync(file).size)),
  'truncated to half': (file) =>
    writeFileSync(file, readFileSync(file).subarray(0, Math.floor(statSync(file).size / 2))),
  'overwritten pages in the middle': (file) => {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(3 * 4096, 0x5a), 0, 3 * 4096, 4 * 4096);
    closeSync(fd);
  },
};

describe('a corrupt registry.db', () => {
  for (const [name, damage] of Object.entries(damages)) {
    it(`${name}: SG_REGISTRY_CORRUPT with the path and how to restore`, () => {
      dir = mkdtempSync(join(tmpdir(), 'sg-registry-'));
      const file = join(dir, 'registry.db');
      populated(file);
      damage(file);
      let caught: unknown;
      try {
        openSqliteDeviceRegistry(file).close();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StoregateError);
      const err = caught as StoregateError;
      expect(err.code).toBe('SG_REGISTRY_CORRUPT');
      expect(err.message).toContain(file);
      expect(err.hint).toContain('storegate restore FILE');
      expect(err.hint).toContain(`copy the backup to ${file}`);
    });
  }

  it('stops `storegate start` with exit code 65, the path and the restore command, and no SQLite stack', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-registry-'));
    mkdirSync(join(dir, 'data'));
    const file = join(dir, 'data', 'registry.db');
    populated(file);
    damages['overwritten pages in the middle']!(file);
    const config = writeConfig(
      dir,
      [
        'data_dir: ./data',
        'log: { level: warn }',
        `broker: { host: 127.0.0.1, port: ${await freePort()} }`,
        `http: { host: 127.0.0.1, port: ${await freePort()} }`,
      ].join('\n'),
    );
    const res = await runCli(config, ['start']);
    expect(res.code).toBe(65);
    expect(res.stderr).toContain('error [SG_REGISTRY_CORRUPT]');
    expect(res.stderr).toContain(file);
    expect(res.stderr).toContain('storegate restore FILE');
    expect(`${res.stdout}${res.stderr}`).not.toMatch(/SqliteError|\n\s+at /);
  });
});
