import type { ExplainedRun, PlateChange } from './explain.js';

/** Changes on adjacent plates close in time, waiting to be explained together (one interaction or a few). */
export interface Cluster {
  changes: PlateChange[];
  keys: Set<string>;
  lastSettled: number;
  /**
   * Its explanation, computed once: a cluster is immutable (a new change makes a new cluster), and one that waits
   * the hold time is looked at on every batch.
   */
  explained: ExplainedRun[] | null;
}

/**
 * Groups settled changes: a change joins every pending cluster that holds its plate or a plate adjacent to
 * it (bridging two merges them), else starts a new one.
 */
export class ClusterSet {
  pending: Cluster[] = [];

  constructor(private readonly adjacent: (a: string, b: string) => boolean) {}

  add(change: PlateChange): Cluster {
    const near = (c: Cluster) =>
      c.keys.has(change.key) || [...c.keys].some((k) => this.adjacent(k, change.key));
    const joined = this.pending.filter(near);
    const cluster: Cluster = { changes: [], keys: new Set(), lastSettled: 0, explained: null };
    for (const c of joined) {
      cluster.changes.push(...c.changes);
      for (const k of c.keys) cluster.keys.add(k);
      cluster.lastSettled = Math.max(cluster.lastSettled, c.lastSettled);
    }
    cluster.changes.push(change);
    cluster.keys.add(change.key);
    cluster.lastSettled = Math.max(cluster.lastSettled, change.tSettled);
    this.pending = [...this.pending.filter((c) => !joined.includes(c)), cluster];
    return cluster;
  }

  remove(cluster: Cluster): void {
    this.pending = this.pending.filter((c) => c !== cluster);
  }

  /** Every plate of the cluster and every plate next to one. */
  neighbourhood(cluster: Cluster, neighbours: (key: string) => readonly string[]): Set<string> {
    const out = new Set(cluster.keys);
    for (const k of cluster.keys) for (const n of neighbours(k)) out.add(n);
    return out;
  }
}
