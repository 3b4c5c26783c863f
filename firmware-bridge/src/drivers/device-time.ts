/**
 * Maps a device's uptime (ms since its boot) to epoch ms. The offset is the smallest (receivedAt − uptime)
 * seen since the last boot: transport delay only ever adds, so the minimum is the best estimate and the
 * mapped times stay monotonic instead of inheriting serial jitter. A reboot (uptime going back) resets it.
 */
export class DeviceTimeBase {
  private offset: number | null = null;
  private lastUptime = -1;

  reset(): void {
    this.offset = null;
    this.lastUptime = -1;
  }

  toEpoch(uptimeMs: number, receivedAt: number): number {
    if (uptimeMs < this.lastUptime) this.offset = null;
    this.lastUptime = uptimeMs;
    const candidate = receivedAt - uptimeMs;
    if (this.offset === null || candidate < this.offset) this.offset = candidate;
    return this.offset + uptimeMs;
  }
}
