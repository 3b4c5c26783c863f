import { openDatabase, type SqliteDatabase } from '../../registry/db.js';

/** A point as stored on disk while InfluxDB is unreachable (timestamp in epoch ms). */
export interface StoredPoint {
  /** Retention policy; the database default (`storegate_minutes`) when absent. */
  rp?: string;
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
  t: number;
}

/**
 * Bounded FIFO of points on disk (SQLite, one transaction per batch). Over `maxPoints` the *oldest* points
 * are dropped and counted: fresh footfall matters more to dashboards than week-old minutes, and the cloud copy
 * of footfall.minute goes through the outbox anyway.
 */
export class PointDiskBuffer {
  private readonly db: SqliteDatabase;
  private count: number;
  dropped = 0;

  constructor(
    file: string,
    private readonly maxPoints: number,
  ) {
    this.db = openDatabase(file);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS points (id INTEGER PRIMARY KEY AUTOINCREMENT, point TEXT NOT NULL)',
    );
    this.count = (this.db.prepare('SELECT COUNT(*) AS n FROM points').get() as { n: number }).n;
  }

  size(): number {
    return this.count;
  }

  /** Append points; returns how many old points had to be dropped to stay within the bound. */
  append(points: readonly StoredPoint[]): number {
    if (points.length === 0) return 0;
    const insert = this.db.prepare('INSERT INTO points (point) VALUES (?)');
    let dropped = 0;
    this.db.transaction(() => {
      for (const p of points) insert.run(JSON.stringify(p));
      this.count += points.length;
      if (this.count > this.maxPoints) {
        dropped = this.count - this.maxPoints;
        this.db
          .prepare('DELETE FROM points WHERE id IN (SELECT id FROM points ORDER BY id LIMIT ?)')
          .run(dropped);
        this.count = this.maxPoints;
      }
    })();
    this.dropped += dropped;
    return dropped;
  }

  /** The oldest `n` points and the id to pass to `remove` once they are written. */
  peek(n: number): { points: StoredPoint[]; lastId: number } {
    const rows = this.db.prepare('SELECT id, point FROM points ORDER BY id LIMIT ?').all(n) as {
      id: number;
      point: string;
    }[];
    return { points: rows.map((r) => JSON.parse(r.point) as StoredPoint), lastId: rows.at(-1)?.id ?? 0 };
  }

  remove(upToId: number): void {
    const info = this.db.prepare('DELETE FROM points WHERE id <= ?').run(upToId);
    this.count = Math.max(0, this.count - info.changes);
  }

  close(): void {
    this.db.close();
  }
}
