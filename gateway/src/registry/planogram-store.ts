import Database from 'better-sqlite3';
import { type CalibrationRecord, calibrationFromWire, calibrationToWire } from '../core/calibration.js';
import { StoregateError } from '../core/errors.js';
import { planogramToWire } from '../core/facings.js';
import { type PlateInput, type PlateSpec, parsePlanogram, plateKey } from '../core/planogram.js';

export interface PlanogramVersion {
  version: number;
  plates: PlateSpec[];
  changedBy: string;
  changedAt: number;
  reason: string;
}

/**
 * Planogram and calibrations in `${data_dir}/shelves.db`. Every planogram change is a new full version (who,
 * when, why), so "what did the shelf look like last Tuesday" has an answer; calibrations keep their history too.
 */
export class ShelvesStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    try {
      this.db = new Database(path);
    } catch (err) {
      throw new StoregateError('SG_IO', `cannot open ${path}: ${(err as Error).message}`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS planogram_versions (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        plates_json TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at INTEGER NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS calibrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device TEXT NOT NULL,
        channel INTEGER NOT NULL,
        record_json TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS calibrations_by_channel ON calibrations(device, channel, id);
    `);
  }

  current(): PlanogramVersion | null {
    const row = this.db.prepare('SELECT * FROM planogram_versions ORDER BY version DESC LIMIT 1').get() as
      | PlanogramRow
      | undefined;
    return row ? fromRow(row) : null;
  }

  /** The latest version written by `who` (e.g. the last import of the config file). */
  latestBy(who: string): PlanogramVersion | null {
    const row = this.db
      .prepare('SELECT * FROM planogram_versions WHERE changed_by = ? ORDER BY version DESC LIMIT 1')
      .get(who) as PlanogramRow | undefined;
    return row ? fromRow(row) : null;
  }

  version(): number {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM planogram_versions').get() as {
      v: number | null;
    };
    return row.v ?? 0;
  }

  history(limit = 50): Omit<PlanogramVersion, 'plates'>[] {
    const rows = this.db
      .prepare('SELECT * FROM planogram_versions ORDER BY version DESC LIMIT ?')
      .all(limit) as PlanogramRow[];
    return rows.map((r) => {
      const { plates: _plates, ...rest } = fromRow(r);
      return rest;
    });
  }

  /** Replace the whole planogram (validated) as a new version. */
  replace(raw: unknown, who: string, reason: string, at: number): PlanogramVersion {
    const plates = parsePlanogram(raw);
    const info = this.db
      .prepare(
        'INSERT INTO planogram_versions (plates_json, changed_by, changed_at, reason) VALUES (?, ?, ?, ?)',
      )
      .run(JSON.stringify(planogramToWire(plates)), who, at, reason);
    return { version: Number(info.lastInsertRowid), plates, changedBy: who, changedAt: at, reason };
  }

  /** Set one plate as a one-plate facing (taking it out of a multi-plate facing it was part of). */
  setPlate(plate: PlateInput, who: string, at: number): PlanogramVersion {
    const key = plateKey(plate.device, plate.channel);
    const next = withoutPlate(this.current()?.plates ?? [], key);
    next.plates.push(plate);
    return this.replace(next, who, `set ${key}`, at);
  }

  removePlate(device: string, channel: number, who: string, at: number): PlanogramVersion {
    const key = plateKey(device, channel);
    const plates = this.current()?.plates ?? [];
    if (!plates.some((p) => plateKey(p.device, p.channel) === key)) {
      throw new StoregateError('SG_BAD_ARGUMENT', `no plate ${device} channel ${channel} in the planogram`);
    }
    return this.replace(withoutPlate(plates, key), who, `remove ${key}`, at);
  }

  saveCalibration(record: CalibrationRecord, at: number): void {
    this.db
      .prepare('INSERT INTO calibrations (device, channel, record_json, created_at) VALUES (?, ?, ?, ?)')
      .run(record.device, record.channel, JSON.stringify(calibrationToWire(record)), at);
  }

  /** The latest calibration of every channel. */
  calibrations(): CalibrationRecord[] {
    const rows = this.db
      .prepare(
        'SELECT record_json FROM calibrations WHERE id IN (SELECT MAX(id) FROM calibrations GROUP BY device, channel)',
      )
      .all() as { record_json: string }[];
    return rows.map((r) => calibrationFromWire(JSON.parse(r.record_json)));
  }

  calibrationHistory(device: string, channel: number): CalibrationRecord[] {
    const rows = this.db
      .prepare('SELECT record_json FROM calibrations WHERE device = ? AND channel = ? ORDER BY id DESC')
      .all(device, channel) as { record_json: string }[];
    return rows.map((r) => calibrationFromWire(JSON.parse(r.record_json)));
  }

  close(): void {
    this.db.close();
  }
}

function withoutPlate(plates: readonly PlateSpec[], key: string) {
  const wire = planogramToWire(plates);
  return {
    plates: wire.plates.filter((p) => plateKey(p.device, p.channel) !== key),
    facings: (wire.facings ?? [])
      .map((f) => ({ ...f, plates: f.plates.filter((p) => plateKey(p.device, p.channel) !== key) }))
      .filter((f) => f.plates.length > 0),
  };
}

interface PlanogramRow {
  version: number;
  plates_json: string;
  changed_by: string;
  changed_at: number;
  reason: string;
}

function fromRow(r: PlanogramRow): PlanogramVersion {
  return {
    version: r.version,
    plates: parsePlanogram(JSON.parse(r.plates_json), `planogram version ${r.version}`),
    changedBy: r.changed_by,
    changedAt: r.changed_at,
    reason: r.reason,
  };
}
