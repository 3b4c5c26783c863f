import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, ensureBuilt } from '../cli/support.js';

/**
 * deploy/ansible: the playbook passes `ansible-playbook --syntax-check` and `ansible-lint` (production
 * profile), and the role runs in check mode against localhost as a fresh store; the config it would write
 * (taken from the --diff output) passes the real `storegate config check`.
 */
const ANSIBLE_DIR = resolve('deploy/ansible');
const TOOLS = { 'ansible-playbook': 'ansible', 'ansible-lint': 'ansible-lint' } as const;

function ensureTool(bin: keyof typeof TOOLS): void {
  if (spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0) return;
  const pkg = TOOLS[bin];
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  throw new Error(`${bin} missing: sudo apt-get install -y ${pkg}`);
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(bin, args, {
    cwd: ANSIBLE_DIR,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      ANSIBLE_CONFIG: join(ANSIBLE_DIR, 'ansible.cfg'),
      ANSIBLE_NOCOLOR: '1',
      NO_COLOR: '1',
      ...env,
    },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

let dir: string;
beforeAll(() => {
  for (const bin of Object.keys(TOOLS) as (keyof typeof TOOLS)[]) ensureTool(bin);
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sg-ansible-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy/ansible', () => {
  it('passes ansible-playbook --syntax-check', () => {
    const r = run('ansible-playbook', ['--syntax-check', '-i', 'inventory.example.yml', 'site.yml']);
    expect(r.code, r.out).toBe(0);
  }, 120_000);

  it('passes ansible-lint (production profile)', () => {
    const r = run('ansible-lint', ['--profile', 'production', 'site.yml', 'roles/storegate']);
    expect(r.code, r.out).toBe(0);
  }, 300_000);

  it('runs in check mode against localhost as a fresh store, and the config it would write is valid', () => {
    const artifact = join(dir, 'storegate-0.3.0-linux-amd64.tar.gz');
    writeFileSync(artifact, 'not read in check mode');
    writeFileSync(`${artifact}.sig`, 'not read in check mode either');
    const inventory = join(dir, 'inventory.yml');
    const hostVars = {
      ansible_connection: 'local',
      ansible_python_interpreter: '/usr/bin/python3',
      storegate_store_id: 'store-0421',
      storegate_artifact: artifact,
      storegate_install_dir: join(dir, 'opt'),
      storegate_config_dir: join(dir, 'etc'),
      storegate_cache_dir: join(dir, 'cache'),
      storegate_data_dir: join(dir, 'data'),
      storegate_cli: join(dir, 'bin', 'storegate'),
      storegate_credentials_dir: join(dir, 'credentials'),
      storegate_release_keys: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n',
      storegate_release_keys_file: join(dir, 'release-keys.pem'),
      storegate_devices: [{ id: 'scan-1', kind: 'scanner', location: { lane: '1' } }],
      storegate_lanes: [{ id: '1', scanner: 'scan-1', scale: 'scale-1' }],
      storegate_cloud_urls: ['mqtts://a.example.net:8883', 'mqtts://b.example.net:8883'],
      storegate_config_overrides: { log: { level: 'warn' } },
    };
    writeFileSync(inventory, JSON.stringify({ stores: { hosts: { localhost: hostVars } } }));
    const r = run('ansible-playbook', [
      '-i',
      inventory,
      'site.yml',
      '--check',
      '--diff',
      '-e',
      'ansible_become=false',
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/failed=0/);
    expect(r.out).toContain('TASK [storegate : First installation');

    // The rendered storegate.yaml, from the diff of the template task.
    const diff = r.out.split('+++ after: ').find((part) => part.includes('storegate.yaml.j2'));
    expect(diff, r.out).toBeDefined();
    const yaml = diff!
      .split('\n')
      .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
      .map((l) => l.slice(1))
      .join('\n');
    expect(yaml).toContain('id: store-0421');
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, yaml);
    const check = spawnSync(process.execPath, [CLI_BIN, 'config', 'check', file, '--json'], {
      encoding: 'utf8',
    });
    expect(check.status, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ valid: true, store_id: 'store-0421' });
  }, 300_000);
});
