/**
 * Per-device counters shared by connectors (which write) and health/HTTP (which read).
 * In memory: counters restart at 0 with the process, like Prometheus counters.
 */
export interface DeviceCounters {
  accepted: number;
  rejected: Record<string, number>;
  lastAcceptedAt: number | null;
  connected: boolean;
}

export type ConnectionListener = (id: string, connected: boolean) => void;

/** Guarantee: connection listeners run synchronously, once per actual change of a device's connected state. */
export class DeviceStats {
  private readonly byDevice = new Map<string, DeviceCounters>();
  private readonly listeners = new Set<ConnectionListener>();

  private entry(id: string): DeviceCounters {
    let e = this.byDevice.get(id);
    if (!e) {
      e = { accepted: 0, rejected: {}, lastAcceptedAt: null, connected: false };
      this.byDevice.set(id, e);
    }
    return e;
  }

  accepted(id: string, at: number, count = 1): void {
    const e = this.entry(id);
    e.accepted += count;
    e.lastAcceptedAt = at;
  }

  rejected(id: string, reason: string): void {
    const e = this.entry(id);
    e.rejected[reason] = (e.rejected[reason] ?? 0) + 1;
  }

  connection(id: string, connected: boolean): void {
    const e = this.entry(id);
    if (e.connected === connected) return;
    e.connected = connected;
    for (const listener of this.listeners) listener(id, connected);
  }

  /** Calls `listener` on every connect/disconnect; returns the unsubscribe. */
  onConnection(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): Readonly<DeviceCounters> | undefined {
    return this.byDevice.get(id);
  }

  forget(id: string): void {
    this.byDevice.delete(id);
  }
}
