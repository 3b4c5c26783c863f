import Database from 'better-sqlite3';
import { type CalibrationRecord, calibrationFromWire, calibrationToWire } from '../core/calibration.js';
import { StoregateError } from '../core/errors.js';
import { facingSignature, facingsOf, planogramToWire, type StoredWeight } from '../core/facings.js';
import { type PlateInput, type PlateSpec, parsePlanogram, plateKey } from '../core/planogram.js';
import { applyMigrations, type Migration } from './migrations.js';

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
    applyMigrations(this.db, 'shelves', shelvesMigrations);
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

  /** Replace the whole planogram (validated) as a new version; what facings learned is kept only where unchanged. */
  replace(raw: unknown, who: string, reason: string, at: number): PlanogramVersion {
    const plates = parsePlanogram(raw);
    const keep = new Map(facingsOf(plates).map((f) => [f.id, facingSignature(f)]));
    const info = this.db.transaction(() => {
      for (const w of this.learnedWeights()) {
        if (keep.get(w.facing) !== w.signature)
          this.db.prepare('DELETE FROM learned_weights WHERE facing = ?').run(w.facing);
      }
      return this.db
        .prepare(
          'INSERT INTO planogram_versions (plates_json, changed_by, changed_at, reason) VALUES (?, ?, ?, ?)',
        )
        .run(JSON.stringify(planogramToWire(plates)), who, at, reason);
    })();
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

  /** Learned unit weights per facing (what the running gateway persisted last). */
  learnedWeights(): StoredWeight[] {
    const rows = this.db.prepare('SELECT * FROM learned_weights ORDER BY facing').all() as {
      facing: string;
      signature: string;
      mean_grams: number;
      spread_grams: number;
      n: number;
      updated_at: number;
    }[];
    return rows.map((r) => ({
      facing: r.facing,
      signature: r.signature,
      mean: r.mean_grams,
      spread: r.spread_grams,
      n: r.n,
      updatedAt: r.updated_at,
    }));
  }

  saveLearnedWeights(weights: readonly StoredWeight[]): void {
    const put = this.db.prepare(
      `INSERT INTO learned_weights (facing, signature, mean_grams, spread_grams, n, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(facing) DO UPDATE SET signature = excluded.signature, mean_grams = excluded.mean_grams,
         spread_grams = excluded.spread_grams, n = excluded.n, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      for (const w of weights) put.run(w.facing, w.signature, w.mean, w.spread, w.n, w.updatedAt);
    })();
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

const shelvesMigrations: Migration[] = [
  {
    version: 1,
    description: 'planogram versions and calibrations (tables of releases before migrations were used)',
    up(db) {
      db.exec(`
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
    },
  },
  {
    version: 2,
    description: 'learned unit weights per facing (planogram versions may now hold multi-plate facings)',
    up(db) {
      db.exec(`
        CREATE TABLE learned_weights (
          facing TEXT PRIMARY KEY,
          signature TEXT NOT NULL,
          mean_grams REAL NOT NULL,
          spread_grams REAL NOT NULL,
          n INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
      `);
    },
  },
];

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
