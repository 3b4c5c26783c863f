import type { Clock } from '../../../shared/src/clock.js';
import type { LaneConfig } from '../config/sections/checkout.js';
import type { DeviceRegistry } from '../ports/device-registry.js';
import type { LaneDirectory } from '../ports/lane-directory.js';

/** Registry lookups are cached this long: the hot path (every scale reading) must not hit SQLite. */
const CACHE_MS = 10_000;

/**
 * Lanes from config (`checkout.lanes`: scanner, scale, camera, pos device ids) and from the device registry
 * (a device whose location.lane is set). Config wins when both name a device.
 */
export class ConfiguredLaneDirectory implements LaneDirectory {
  private readonly fromConfig = new Map<string, string>();
  private cache = new Map<string, { lane: string | undefined; at: number }>();
  private listed: { lanes: string[]; at: number } | null = null;

  constructor(
    private readonly lanesConfig: readonly LaneConfig[],
    private readonly registry: Pick<DeviceRegistry, 'get' | 'list'> | null,
    private readonly clock: Clock,
  ) {
    for (const lane of lanesConfig) {
      for (const device of [lane.scanner, lane.scale, lane.camera, lane.pos]) {
        if (device !== undefined) this.fromConfig.set(device, lane.id);
      }
    }
  }

  laneOf(deviceId: string): string | undefined {
    const configured = this.fromConfig.get(deviceId);
    if (configured !== undefined || !this.registry) return configured;
    const now = this.clock.now();
    const hit = this.cache.get(deviceId);
    if (hit && now - hit.at < CACHE_MS) return hit.lane;
    const lane = this.registry.get(deviceId)?.location.lane;
    // A device just placed in a lane makes that lane exist now, not at the next listing.
    if (lane !== undefined && this.listed && !this.listed.lanes.includes(lane)) this.listed = null;
    if (this.cache.size > 10_000) this.cache = new Map();
    this.cache.set(deviceId, { lane, at: now });
    return lane;
  }

  lanes(): readonly string[] {
    const now = this.clock.now();
    if (!this.listed || now - this.listed.at >= CACHE_MS) {
      const ids = new Set(this.lanesConfig.map((l) => l.id));
      for (const d of this.registry?.list() ?? []) if (d.location.lane) ids.add(d.location.lane);
      this.listed = { lanes: [...ids].sort(), at: now };
    }
    return this.listed.lanes;
  }

  /** Device ids per lane (for GET /api/lanes). */
  devices(lane: string): Record<string, string> {
    const out: Record<string, string> = {};
    const configured = this.lanesConfig.find((l) => l.id === lane);
    for (const role of ['scanner', 'scale', 'camera', 'pos'] as const) {
      const device = configured?.[role];
      if (device !== undefined) out[role] = device;
    }
    for (const d of this.registry?.list() ?? []) {
      if (d.location.lane === lane && !Object.values(out).includes(d.id)) out[d.kind] ??= d.id;
    }
    return out;
  }
}
