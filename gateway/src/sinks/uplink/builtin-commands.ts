import type { LoadedConfig } from '../../config/load.js';
import type { DeviceRegistry } from '../../ports/device-registry.js';
import type { Outbox } from '../outbox/outbox.js';
import { liveOutboxStatus } from '../outbox/outbox-status.js';
import type { CommandRegistry } from './commands.js';
import type { Uplink } from './uplink.js';

const RO = { readOnly: true };

/** ping, status, device.list, outbox.status (all read-only). Returns one function that unregisters them all. */
export function registerBuiltinCommands(
  commands: CommandRegistry,
  deps: {
    config: Pick<LoadedConfig, 'store' | 'outbox'>;
    outbox: Outbox;
    uplink: Uplink;
    registry?: Pick<DeviceRegistry, 'list'>;
    startedAt: number;
  },
): () => void {
  const { config, outbox, uplink, registry } = deps;
  const now = () => outbox.options.clock.now();
  const uplinkStatus = () => ({
    connected: uplink.isConnected(),
    offline_for_s: uplink.stats.offlineSince === null ? 0 : (now() - uplink.stats.offlineSince) / 1000,
    offline_total_s: uplink.stats.offlineMs() / 1000,
    reconnects: uplink.stats.reconnects,
    events_sent: uplink.stats.eventsSent,
    messages_sent: uplink.stats.messagesSent,
    send_rate_events_per_s: uplink.stats.sendRate(),
  });
  const outboxStatus = () => ({ ...liveOutboxStatus(outbox, config), uplink: uplinkStatus() });
  const off = [
    commands.register('ping', () => ({ pong: true, at: now() }), RO),
    commands.register(
      'status',
      () => {
        const s = liveOutboxStatus(outbox, config);
        return {
          store: { id: config.store.id, name: config.store.name },
          at: now(),
          uptime_s: (now() - deps.startedAt) / 1000,
          commands: commands.names(),
          uplink: uplinkStatus(),
          outbox: { depth: s.depth, watermark: s.watermark, oldest_unsent_age_s: s.oldest_unsent_age_s },
        };
      },
      RO,
    ),
    commands.register(
      'device.list',
      () => {
        const devices = registry?.list() ?? [];
        return {
          devices: devices.map((d) => ({
            id: d.id,
            kind: d.kind,
            location: d.location,
            labels: d.labels,
            created_at: d.createdAt,
            last_seen_at: d.lastSeenAt,
            firmware: d.firmware,
          })),
        };
      },
      RO,
    ),
    commands.register('outbox.status', outboxStatus, RO),
  ];
  return () => {
    for (const f of off) f();
  };
}
