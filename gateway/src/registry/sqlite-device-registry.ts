import { timingSafeEqual } from 'node:crypto';
import { type Clock, systemClock, type TimerHandle } from '../../../shared/src/clock.js';
import { StoregateError } from '../core/errors.js';
import type { DeviceRecord, DeviceRegistry, NewDevice } from '../ports/device-registry.js';
import {
  DEFAULT_SCRYPT,
  dummyHash,
  fastDigest,
  generateSecret,
  hashSecretSync,
  MAX_SECRET_LENGTH,
  type ScryptParams,
  verifySecretHash,
} from './credentials.js';
import { isCorruptionError, openDatabase, quickCheck, type SqliteDatabase } from './db.js';
import {
  assertDeviceId,
  type DeviceRow,
  isValidDeviceId,
  rowToRecord,
  validateNewDevice,
} from './db-device-rows.js';
import { applyMigrations } from './migrations.js';
import { deviceMigrations } from './migrations-devices.js';

export interface SqliteDeviceRegistryOptions {
  clock?: Clock;
  /** How often batched `touch` updates are written (default 1 s); also written on close. */
  flushIntervalMs?: number;
  scrypt?: ScryptParams;
  busyTimeoutMs?: number;
}

interface PendingTouch {
  at: number;
  firmware: string | undefined;
}

const COLUMNS =
  'id, kind, zone, aisle, fixture, shelf, lane, door, labels, created_at, last_seen_at, firmware';
const MAX_VERIFIED_CACHE = 20_000;

/**
 * The device registry in SQLite. Reads always go to the database (the installer CLI may add, rotate or remove
 * devices from another process while the gateway runs); `touch` is buffered in memory and written in one
 * transaction per interval so the message hot path never writes.
 */
export class SqliteDeviceRegistry implements DeviceRegistry {
  private readonly db: SqliteDatabase;
  private readonly clock: Clock;
  private readonly flushIntervalMs: number;
  private readonly scryptParams: ScryptParams;
  private readonly dummy: string;
  private readonly pending = new Map<string, PendingTouch>();
  /** id → (stored hash it was checked against, digest of the secret that passed): reconnects skip scrypt. */
  private readonly verified = new Map<string, { encoded: string; digest: Buffer }>();
  private flushTimer: TimerHandle | null = null;
  private closed = false;
  private readonly stmt;

  constructor(file: string, options: SqliteDeviceRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock();
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.scryptParams = options.scrypt ?? DEFAULT_SCRYPT;
    this.db = openCheckedRegistry(file, options.busyTimeoutMs);
    this.dummy = dummyHash(this.scryptParams);
    const db = this.db;
    this.stmt = {
      get: db.prepare<[string], DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE id = ?`),
      list: db.prepare<[], DeviceRow>(`SELECT ${COLUMNS} FROM devices ORDER BY id`),
      hash: db.prepare<[string], { secret_hash: string }>('SELECT secret_hash FROM devices WHERE id = ?'),
      secretAt: db.prepare<[string], { secret_changed_at: number }>(
        'SELECT secret_changed_at FROM devices WHERE id = ?',
      ),
      insert: db.prepare(
        `INSERT INTO devices (id, kind, zone, aisle, fixture, shelf, lane, door, labels, created_at,
           secret_hash, secret_changed_at)
         VALUES (@id, @kind, @zone, @aisle, @fixture, @shelf, @lane, @door, @labels, @now, @hash, @now)`,
      ),
      remove: db.prepare<[string]>('DELETE FROM devices WHERE id = ?'),
      rotate: db.prepare<[string, number, string]>(
        // strictly increasing, so a rotation within the login's millisecond still revokes that session
        'UPDATE devices SET secret_hash = ?, secret_changed_at = MAX(?, secret_changed_at + 1) WHERE id = ?',
      ),
      touch: db.prepare<[{ at: number; firmware: string | null; id: string }]>(
        `UPDATE devices SET last_seen_at = MAX(COALESCE(last_seen_at, 0), @at),
           firmware = COALESCE(@firmware, firmware)
         WHERE id = @id`,
      ),
    };
  }

  get(id: string): DeviceRecord | undefined {
    if (!isValidDeviceId(id)) return undefined;
    const row = this.stmt.get.get(id);
    return row ? this.withPending(rowToRecord(row)) : undefined;
  }

  list(): DeviceRecord[] {
    return this.stmt.list.all().map((row) => this.withPending(rowToRecord(row)));
  }

  add(device: NewDevice): { device: DeviceRecord; secret: string } {
    this.assertOpen();
    const valid = validateNewDevice(device);
    const secret = generateSecret();
    const loc = valid.location;
    try {
      this.stmt.insert.run({
        id: valid.id,
        kind: valid.kind,
        zone: loc.zone ?? null,
        aisle: loc.aisle ?? null,
        fixture: loc.fixture ?? null,
        shelf: loc.shelf ?? null,
        lane: loc.lane ?? null,
        door: loc.door ?? null,
        labels: JSON.stringify(valid.labels),
        now: this.clock.now(),
        hash: hashSecretSync(secret, this.scryptParams),
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new StoregateError('SG_DEVICE_EXISTS', `device ${valid.id} already exists`, {
          hint: `use \`storegate device rotate-secret ${valid.id}\` for new credentials, or remove it first`,
        });
      }
      throw err;
    }
    return { device: this.get(valid.id)!, secret };
  }

  remove(id: string): boolean {
    this.assertOpen();
    if (!isValidDeviceId(id)) return false;
    this.pending.delete(id);
    this.verified.delete(id);
    return this.stmt.remove.run(id).changes > 0;
  }

  rotateSecret(id: string): string {
    this.assertOpen();
    assertDeviceId(id);
    const secret = generateSecret();
    const changes = this.stmt.rotate.run(
      hashSecretSync(secret, this.scryptParams),
      this.clock.now(),
      id,
    ).changes;
    if (changes === 0) throw unknownDevice(id);
    this.verified.delete(id);
    return secret;
  }

  secretChangedAt(id: string): number | undefined {
    if (this.closed || !isValidDeviceId(id)) return undefined;
    return this.stmt.secretAt.get(id)?.secret_changed_at;
  }

  async verifySecret(id: string, secret: string): Promise<boolean> {
    const row = isValidDeviceId(id) && !this.closed ? this.stmt.hash.get(id) : undefined;
    const encoded = row?.secret_hash ?? this.dummy;
    const tooLong = typeof secret !== 'string' || secret.length > MAX_SECRET_LENGTH;
    const candidate = tooLong ? '' : secret;
    // Only a secret that already passed scrypt against this very hash takes the fast path; any other input
    // pays the full scrypt cost, so timing tells nothing about which ids exist.
    const remembered = row ? this.verified.get(id) : undefined;
    if (remembered && remembered.encoded === encoded && !tooLong) {
      const digest = fastDigest(candidate);
      if (timingSafeEqual(digest, remembered.digest)) return true;
    }
    const ok = (await verifySecretHash(candidate, encoded)) && row !== undefined && !tooLong;
    if (ok) {
      if (this.verified.size >= MAX_VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(id, { encoded, digest: fastDigest(candidate) });
    }
    return ok;
  }

  touch(id: string, at: number, firmware?: string): void {
    if (this.closed) return;
    // Called per accepted message: update in place, no allocation once a device is pending.
    const prev = this.pending.get(id);
    if (prev) {
      if (at > prev.at) prev.at = at;
      if (firmware !== undefined) prev.firmware = firmware;
    } else {
      this.pending.set(id, { at, firmware });
    }
    if (!this.flushTimer)
      this.flushTimer = this.clock.setTimeout(() => this.flushSafely(), this.flushIntervalMs);
  }

  /** Write buffered `touch` updates now, in one transaction. */
  flush(): void {
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.size === 0 || this.closed) return;
    // Synchronous: no touch can interleave, so the whole map is written and cleared (kept if the write fails).
    this.db.transaction(() => {
      for (const [id, t] of this.pending) this.stmt.touch.run({ at: t.at, firmware: t.firmware ?? null, id });
    })();
    this.pending.clear();
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  private flushSafely(): void {
    this.flushTimer = null;
    try {
      this.flush();
    } catch {
      // Busy beyond busy_timeout (another process holds a long write): keep the batch, retry next interval.
      if (!this.closed && this.pending.size > 0) {
        this.flushTimer = this.clock.setTimeout(() => this.flushSafely(), this.flushIntervalMs);
      }
    }
  }

  private withPending(record: DeviceRecord): DeviceRecord {
    const p = this.pending.get(record.id);
    if (!p) return record;
    return {
      ...record,
      lastSeenAt: Math.max(record.lastSeenAt ?? 0, p.at),
      firmware: p.firmware ?? record.firmware,
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoregateError('SG_NOT_READY', 'device registry is closed');
  }
}

function unknownDevice(id: string): StoregateError {
  return new StoregateError('SG_DEVICE_UNKNOWN', `no device ${id}`, {
    hint: 'list devices with `storegate device list`',
  });
}

/**
 * Open registry.db, checked (`quick_check`) and migrated. A damaged file stops here with SG_REGISTRY_CORRUPT,
 * its path and how to restore it, never a raw SQLite stack: the gateway cannot authenticate a single device
 * without it, and unlike the outbox it cannot be started afresh without losing every credential.
 */
function openCheckedRegistry(file: string, busyTimeoutMs: number | undefined): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = openDatabase(file, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
  } catch (err) {
    const cause = (err as Error).cause ?? err;
    if (isCorruptionError(cause)) throw registryCorrupt(file, (cause as Error).message, cause);
    throw err;
  }
  try {
    const problem = quickCheck(db);
    if (problem) throw registryCorrupt(file, `quick_check: ${problem}`);
    applyMigrations(db, 'devices', deviceMigrations);
    return db;
  } catch (err) {
    db.close();
    if (isCorruptionError(err)) throw registryCorrupt(file, (err as Error).message, err);
    throw err;
  }
}

export function registryCorrupt(file: string, detail: string, cause?: unknown): StoregateError {
  return new StoregateError('SG_REGISTRY_CORRUPT', `the device registry ${file} is corrupt (${detail})`, {
    cause,
    hint: [
      'storegate stops rather than run without its devices and credentials.',
      `Restore a backup: \`storegate restore FILE\` (coming with the backup work), or by hand: stop storegate,`,
      `move ${file}, ${file}-wal and ${file}-shm aside, copy the backup to ${file}, start storegate.`,
      'Without a backup: move the files aside, start storegate (a new, empty registry is created) and',
      'provision every device again with `storegate device add`.',
    ].join(' '),
  });
}

export function openSqliteDeviceRegistry(
  file: string,
  opts: SqliteDeviceRegistryOptions = {},
): SqliteDeviceRegistry {
  return new SqliteDeviceRegistry(file, opts);
}
