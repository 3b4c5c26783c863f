import type { Clock } from '../../../../shared/src/clock.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { footfallSection } from '../../config/sections/footfall.js';
import type { Processor } from '../../ports/pipeline.js';
import { FootfallProcessor } from '../../processors/footfall/footfall-processor.js';
import type { ReplayDomain } from '../replay-domain.js';

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const KEYS = new Set(['t', 'device', 'beam', 'blocked', 'in', 'out', 'line', 'zone', 'count']);

function counter(line: Record<string, unknown>, key: string): number {
  const v = line[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new Error(`"${key}" must be a non-negative integer`);
  return v;
}

/**
 * Door and camera lines for `storegate replay` (docs/footfall.md):
 *   {"t", "device", "beam": "a" | "b", "blocked": true | false}   dual-beam transition (a = outside beam)
 *   {"t", "device", "in": n, "out": n}                            cumulative door counter
 *   {"t", "device", "line": "entrance", "in": n, "out": n}        cumulative camera line crossings
 *   {"t", "device", "zone": "queue", "count": n}                  camera zone count
 * Prints door.entry / door.exit / door.blocked / door.counter_reset events and footfall.minute rollups,
 * with the default footfall settings (store "replay", UTC, store empty at 03:00, 30 ms debounce).
 */
export function doorReplayDomain(): ReplayDomain {
  let sawDoor = false;
  return {
    name: 'door',
    parse(line: Record<string, unknown>): Reading[] | null {
      if (!('device' in line) || 'lane' in line || 'grams' in line) return null;
      if (!('beam' in line) && !('in' in line) && !('zone' in line)) return null;
      const { t, device } = line;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new Error('"t" must be epoch milliseconds');
      if (typeof device !== 'string' || !ID.test(device))
        throw new Error('"device" must be an id (letters, digits, _ . : -)');
      for (const key of Object.keys(line))
        if (!KEYS.has(key)) throw new Error(`unknown key "${key}" in door line`);
      const meta = {
        deviceId: device,
        deviceTime: t,
        receivedAt: t,
        quality: 'good' as const,
        source: 'replay' as const,
      };
      sawDoor = true;
      if ('beam' in line) {
        if (line.beam !== 'a' && line.beam !== 'b') throw new Error('"beam" must be "a" or "b"');
        if (typeof line.blocked !== 'boolean') throw new Error('"blocked" must be true or false');
        return [{ ...meta, type: 'door.beam', beam: line.beam, blocked: line.blocked }];
      }
      if ('zone' in line) {
        if (typeof line.zone !== 'string' || !ID.test(line.zone)) throw new Error('"zone" must be an id');
        return [{ ...meta, type: 'camera.zone', zone: line.zone, count: counter(line, 'count') }];
      }
      const counts = { in: counter(line, 'in'), out: counter(line, 'out') };
      if ('line' in line) {
        if (typeof line.line !== 'string' || !ID.test(line.line)) throw new Error('"line" must be an id');
        return [{ ...meta, type: 'camera.line', line: line.line, ...counts }];
      }
      return [{ ...meta, type: 'door.count', ...counts }];
    },
    processors(_options, _clock: Clock): Processor[] {
      const cfg = footfallSection.parse({});
      const footfall = new FootfallProcessor({
        store: 'replay',
        timeZone: 'UTC',
        storeEmptyTime: cfg.store_empty_time,
        driftCorrection: cfg.drift_correction,
        debounceMs: cfg.debounce_ms,
        blockedAlarmMs: cfg.blocked_alarm_ms,
        transactionEvents: cfg.transaction_events,
      });
      // Stay silent in replays without door lines (POS lines of a lane replay must not start footfall minutes).
      return [
        {
          name: footfall.name,
          handles: footfall.handles,
          process: (r) => (sawDoor ? footfall.process(r) : []),
          tick: (now) => (sawDoor ? footfall.tick(now) : []),
        },
      ];
    },
  };
}
