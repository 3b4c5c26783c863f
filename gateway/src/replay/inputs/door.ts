import type { Clock } from '../../../../shared/src/clock.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { footfallProcessor } from '../../features/footfall/wiring.js';
import type { Processor } from '../../ports/pipeline.js';
import type { ReplayDomain, ReplaySetup } from '../replay-domain.js';
import { deviceLineParser } from './device-line.js';

/**
 * Door and camera lines for `storegate replay` (docs/footfall.md): a door or camera payload plus `device`:
 *   {"t", "device", "beam": "a" | "b", "blocked": true | false}   dual-beam transition (a = outside beam)
 *   {"t", "device", "in": n, "out": n}                            cumulative door counter
 *   {"t", "device", "line": "entrance", "in": n, "out": n}        cumulative camera line crossings
 *   {"t", "device", "zone": "queue", "count": n}                  camera zone count
 * Prints door.entry / door.exit / door.blocked / door.counter_reset events and footfall.minute rollups, with
 * the `store:` and `footfall:` settings of `--config` (else the defaults: store "replay", UTC, empty at 03:00).
 */
export function doorReplayDomain(): ReplayDomain {
  let sawDoor = false;
  const lines = deviceLineParser(['beam', 'door', 'camera/line', 'camera/zone'], {
    deviceId: {
      pattern: /^[A-Za-z0-9_.:-]{1,64}$/,
      message: '"device" must be an id (letters, digits, _ . : -)',
    },
  });
  return {
    name: 'door',
    parse(line: Record<string, unknown>): Reading[] | null {
      if (!lines.recognise(line)) return null;
      sawDoor = true;
      const reading = lines.parse(line);
      return reading ? [reading] : null;
    },
    processors(setup: ReplaySetup, _clock: Clock): Processor[] {
      if (!setup.config.footfall.enabled) return [];
      const footfall = footfallProcessor(setup.config);
      // Stay silent in replays without door lines (POS lines of a lane replay must not start footfall minutes).
      return [
        {
          name: footfall.name,
          handles: footfall.handles,
          process: (r) => (sawDoor ? footfall.process(r) : []),
          tick: (now) => (sawDoor ? footfall.tick(now) : []),
          end: (now) => (sawDoor ? footfall.end(now) : []),
        },
      ];
    },
  };
}
