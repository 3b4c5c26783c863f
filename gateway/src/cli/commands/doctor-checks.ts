import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { isCorruptionError, openDatabase, quickCheck, type SqliteDatabase } from '../../registry/db.js';
import { deviceMigrations } from '../../registry/migrations-devices.js';
import { registryCorrupt } from '../../registry/sqlite-device-registry.js';
import { formatBytes } from '../output.js';
import { endpointOf, localAddress, storegateAt, tcpConnect, tryBind } from './doctor-net.js';

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
  details?: string[];
}

const pass = (name: string, message: string): CheckResult => ({ name, status: 'PASS', message });
const warn = (name: string, message: string): CheckResult => ({ name, status: 'WARN', message });
const fail = (name: string, message: string): CheckResult => ({ name, status: 'FAIL', message });

/** Each listener port must be free, or held by the storegate this config describes (already running). */
export async function checkPorts(config: LoadedConfig): Promise<CheckResult[]> {
  const listeners: { name: string; host: string; port: number }[] = [
    { name: 'port broker', host: config.broker.host, port: config.broker.port },
    { name: 'port http', host: config.http.host, port: config.http.port },
  ];
  if (config.broker.tls)
    listeners.push({ name: 'port broker tls', host: config.broker.host, port: config.broker.tls.port });
  if (config.broker.websocket) {
    listeners.push({
      name: 'port broker websocket',
      host: config.broker.host,
      port: config.broker.websocket.port,
    });
  }
  let running: string | null | undefined;
  const out: CheckResult[] = [];
  for (const l of listeners) {
    const where = `${l.host}:${l.port}`;
    if (l.port === 0) {
      out.push(pass(l.name, `${where}: port 0, the system picks a free port at start`));
      continue;
    }
    const bound = await tryBind(l.host, l.port);
    if (bound.ok) {
      out.push(pass(l.name, `${where} is free`));
      continue;
    }
    if (bound.code === 'EADDRINUSE') {
      running ??= await storegateAt(localAddress(config.http.host), config.http.port);
      out.push(
        running
          ? pass(l.name, `${where} is held by a running storegate (store ${running})`)
          : fail(l.name, `${where} is in use by another process (stop it or choose another port)`),
      );
    } else if (bound.code === 'EACCES') {
      out.push(
        fail(l.name, `${where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`),
      );
    } else if (bound.code === 'EADDRNOTAVAIL') {
      out.push(fail(l.name, `${where}: ${l.host} is not an address of this machine`));
    } else {
      out.push(fail(l.name, `${where}: ${bound.message}`));
    }
  }
  return out;
}

/** data_dir must be writable (or creatable) and have room above the outbox's free-space floor. */
export function checkDataDir(config: LoadedConfig): CheckResult[] {
  const dir = config.dataDir;
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const probeDir = existsSync(dir) ? dir : existing;
  const results: CheckResult[] = [];
  try {
    const probe = join(probeDir, `.storegate-doctor-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
    results.push(
      pass(
        'data dir',
        existsSync(dir) ? `${dir} is writable` : `${dir} will be created (${existing} is writable)`,
      ),
    );
  } catch (err) {
    results.push(
      fail('data dir', `${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`),
    );
  }
  try {
    const fs = statfsSync(probeDir);
    const free = fs.bavail * fs.bsize;
    const floor = config.outbox.min_free_disk_bytes;
    const msg = `${formatBytes(free)} free on the data_dir filesystem (outbox floor ${formatBytes(floor)})`;
    // Whether readings are refused also depends on space inside outbox.db and the reserve: the outbox check.
    results.push(
      free < floor
        ? warn('disk space', `only ${msg}: below the floor, see the outbox check`)
        : pass('disk space', msg),
    );
  } catch (err) {
    results.push(warn('disk space', `cannot read free space of ${probeDir}: ${(err as Error).message}`));
  }
  return results;
}

/** The device registry file opens, its schema is one this storegate knows, and how many devices it holds. */
export function checkRegistry(config: LoadedConfig): CheckResult {
  const file = join(config.dataDir, 'registry.db');
  if (!existsSync(file)) return pass('registry', `${file} will be created at first use (no devices yet)`);
  let db: SqliteDatabase | undefined;
  try {
    db = openDatabase(file, { readonly: true, busyTimeoutMs: 2_000 });
    const problem = quickCheck(db);
    if (problem) return corruptRegistry(file, `quick_check: ${problem}`);
    const version = db.prepare("SELECT version FROM schema_version WHERE module = 'devices'").pluck().get();
    const known = deviceMigrations.length;
    if (typeof version === 'number' && version > known) {
      return fail('registry', `${file} has device schema v${version}, newer than this storegate (v${known})`);
    }
    const count = db.prepare('SELECT count(*) FROM devices').pluck().get() as number;
    return pass('registry', `${count} device(s) registered in ${file}`);
  } catch (err) {
    const cause = (err as Error).cause ?? err;
    if (isCorruptionError(cause)) return corruptRegistry(file, (cause as Error).message);
    return fail('registry', `cannot read ${file}: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

function corruptRegistry(file: string, detail: string): CheckResult {
  const err = registryCorrupt(file, detail);
  return {
    name: 'registry',
    status: 'FAIL',
    message: `[${err.code}] ${err.message}`,
    details: [err.hint ?? ''],
  };
}

/** Timestamps come from this clock: a year before 2024 means no RTC and no NTP yet. */
export function checkClock(now = new Date(systemClock().now())): CheckResult {
  const iso = now.toISOString();
  if (now.getUTCFullYear() < 2024)
    return fail('clock', `system time ${iso} is before 2024: set the clock or enable NTP`);
  let ntp = 'NTP status unknown (timedatectl not available)';
  let synced: boolean | null = null;
  try {
    const out = execFileSync('timedatectl', ['show'], {
      encoding: 'utf8',
      timeout: 2_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const value = /^NTPSynchronized=(yes|no)$/m.exec(out)?.[1];
    if (value) {
      synced = value === 'yes';
      ntp = synced ? 'NTP synchronized' : 'NOT NTP-synchronized';
    }
  } catch {
    // No systemd (containers): say so rather than guess.
  }
  const message = `system time ${iso}; ${ntp}`;
  return synced === false
    ? warn('clock', `${message}: readings are stamped with this clock`)
    : pass('clock', message);
}

/** Each configured peer must accept a TCP connection; absent ones are reported as not configured. */
export async function checkPeers(config: LoadedConfig): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const clouds = config.cloud
    ? typeof config.cloud.url === 'string'
      ? [config.cloud.url]
      : config.cloud.url
    : [];
  if (clouds.length === 0) out.push(await probe('cloud', undefined, 'events stay in the outbox'));
  for (const url of clouds) out.push(await probe(clouds.length > 1 ? `cloud ${url}` : 'cloud', url));
  const influx = config.footfall.influx?.url;
  out.push(await probe('influxdb', influx, 'footfall is not written to InfluxDB'));
  for (const ep of config.opcua.endpoints) out.push(await probe(`opcua ${ep.id}`, ep.url));
  return out;
}

async function probe(name: string, url: string | undefined, absentNote?: string): Promise<CheckResult> {
  if (!url) return pass(name, `not configured${absentNote ? ` (${absentNote})` : ''}`);
  const endpoint = endpointOf(url);
  if (!endpoint) return fail(name, `${url}: cannot tell host and port from this URL`);
  const problem = await tcpConnect(endpoint.host, endpoint.port);
  return problem === null
    ? pass(name, `${url} accepts connections`)
    : fail(name, `${url} is not reachable: ${problem}`);
}
