import type { FastifyInstance } from 'fastify';
import type { DeviceRecord, DeviceRegistry } from '../../ports/device-registry.js';
import type { DeviceStats } from '../../ports/device-stats.js';
import type { DeviceHealth } from '../../processors/health/device-health-processor.js';

export interface DeviceRoutesDeps {
  registry: Pick<DeviceRegistry, 'list' | 'get'>;
  health: {
    get(id: string): Readonly<DeviceHealth> | undefined;
    snapshot(): readonly Readonly<DeviceHealth>[];
  };
  stats: Pick<DeviceStats, 'get'>;
  rates: { get(id: string): number | null };
}

/** `GET /api/devices` item; snake_case because it is wire form. Times are epoch milliseconds. */
export interface DeviceView {
  id: string;
  kind: string | null;
  registered: boolean;
  location: Record<string, string>;
  labels: Record<string, string>;
  state: 'online' | 'offline' | 'unknown';
  online: boolean;
  last_seen: number | null;
  offline_after_ms: number | null;
  created_at: number | null;
  firmware: string | null;
  uptime_s: number | null;
  rssi_dbm: number | null;
  battery_pct: number | null;
  connected: boolean;
  accepted: number;
  rejected: Record<string, number>;
  publish_rate_per_s: number | null;
}

function view(
  deps: DeviceRoutesDeps,
  record: DeviceRecord | undefined,
  health: Readonly<DeviceHealth> | undefined,
) {
  const id = (record?.id ?? health?.id)!;
  const stats = deps.stats.get(id);
  const lastSeen = Math.max(record?.lastSeenAt ?? 0, health?.lastSeenAt ?? 0);
  const state = health?.state ?? 'unknown';
  const out: DeviceView = {
    id,
    kind: record?.kind ?? health?.kind ?? null,
    registered: record !== undefined,
    location: { ...(record?.location ?? {}) },
    labels: { ...(record?.labels ?? {}) },
    state,
    online: state === 'online',
    last_seen: lastSeen > 0 ? lastSeen : null,
    offline_after_ms: health?.offlineAfterMs ?? null,
    created_at: record?.createdAt ?? null,
    firmware: health?.firmware ?? record?.firmware ?? null,
    uptime_s: health?.uptimeS ?? null,
    rssi_dbm: health?.rssiDbm ?? null,
    battery_pct: health?.batteryPct ?? null,
    connected: stats?.connected ?? false,
    accepted: stats?.accepted ?? 0,
    rejected: { ...(stats?.rejected ?? {}) },
    publish_rate_per_s: deps.rates.get(id),
  };
  return out;
}

/**
 * Devices API for dashboards and installers: every registered device plus devices only known from their
 * readings (serial, OPC UA), with health, connection state and per-reason rejection counts.
 */
export function registerDeviceRoutes(http: FastifyInstance, deps: DeviceRoutesDeps): void {
  http.get('/api/devices', async () => {
    const records = deps.registry.list();
    const known = new Set(records.map((r) => r.id));
    const devices = records.map((r) => view(deps, r, deps.health.get(r.id)));
    for (const h of deps.health.snapshot()) if (!known.has(h.id)) devices.push(view(deps, undefined, h));
    return { devices };
  });

  http.get<{ Params: { id: string } }>('/api/devices/:id', async (request, reply) => {
    const { id } = request.params;
    const record = deps.registry.get(id);
    const health = deps.health.get(id);
    if (!record && !health) {
      return reply.code(404).send({ error: { code: 'SG_DEVICE_UNKNOWN', message: `no device ${id}` } });
    }
    return view(deps, record, health);
  });
}
