import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { type LoadedConfig, loadConfigText } from '../config/load.js';
import { StoregateError } from '../core/errors.js';

/**
 * storegate.yaml is the service user's to rewrite, so the root helper lets it decide only *when* the upgrade
 * runs and *how long* it waits, within bounds; paths and programs come from the root-owned unit's arguments.
 * (data_dir must be the request's directory: upgrade-from-request.ts; upgrade.remote_runner is the gateway's,
 * never run by the helper.)
 */
export const HELPER_BOUNDS = {
  /** Too short rolls every upgrade back; too long leaves a broken release serving before the rollback. */
  health_deadline_ms: { min: 30_000, max: 900_000 },
  /** The quiet window and idle lanes are waited for at most a week (the unit has no start timeout). */
  max_wait_ms: { min: 0, max: 7 * 86_400_000 },
  poll_interval_ms: { min: 1_000, max: 60_000 },
} as const;

const clamp = (v: number, b: { min: number; max: number }) => Math.min(b.max, Math.max(b.min, v));

/**
 * The config as root uses it: timings clamped to HELPER_BOUNDS, no remote_runner, and the health probe aimed
 * at this machine only — http.host when it is one of its own addresses, else 127.0.0.1 — so a rewritten
 * config cannot point root's health gate at another host.
 */
export function boundedForRoot(config: LoadedConfig, ownAddresses = localAddresses()): LoadedConfig {
  const { remote_runner: _ignored, ...upgrade } = config.upgrade;
  const host = ownAddresses.has(config.http.host) ? config.http.host : '127.0.0.1';
  return {
    ...config,
    http: { ...config.http, host },
    upgrade: {
      ...upgrade,
      health_deadline_ms: clamp(upgrade.health_deadline_ms, HELPER_BOUNDS.health_deadline_ms),
      max_wait_ms: clamp(upgrade.max_wait_ms, HELPER_BOUNDS.max_wait_ms),
      poll_interval_ms: clamp(upgrade.poll_interval_ms, HELPER_BOUNDS.poll_interval_ms),
    },
  };
}

function localAddresses(): Set<string> {
  const own = new Set(['0.0.0.0', '::', '', '127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) own.add(a.address);
  return own;
}

const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Read storegate.yaml as the owner of `ownerDir` (data_dir) when root: the service user owns /etc/storegate and
 * could make storegate.yaml a symlink to a root-only file, whose text a YAML error would then quote into the
 * upgrade record it reads. Read by a child with that uid, it gets only what that user could read anyway.
 */
export function loadConfigAsOwner(configFile: string, ownerDir: string): LoadedConfig {
  const file = resolve(configFile);
  const { uid, gid } = statSync(ownerDir);
  const asOwner = process.geteuid?.() === 0 && uid !== 0;
  return loadConfigText(asOwner ? readAs(file, { uid, gid }) : readFileSync(file, 'utf8'), file);
}

function readAs(file: string, owner: { uid: number; gid: number }): string {
  const read = spawnSync(
    process.execPath,
    ['-e', 'process.stdout.write(require("node:fs").readFileSync(process.argv[1]))', file],
    { ...owner, cwd: '/', env: {}, maxBuffer: MAX_CONFIG_BYTES, encoding: 'utf8' },
  );
  if (read.status !== 0) {
    const why =
      read.error?.message ?? (String(read.stderr).match(/E[A-Z]+:[^\n]*/)?.[0] || `exit ${read.status}`);
    throw new StoregateError(
      'SG_CONFIG_NOT_FOUND',
      `cannot read the config file ${file} as uid ${owner.uid}: ${why}`,
    );
  }
  return read.stdout;
}
