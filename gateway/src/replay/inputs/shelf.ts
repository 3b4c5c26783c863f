import type { Clock } from '../../../../shared/src/clock.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { StoregateError } from '../../core/errors.js';
import { shelfProcessor } from '../../features/shelves/wiring.js';
import type { Processor } from '../../ports/pipeline.js';
import { replayPlanogram } from '../replay-config.js';
import type { ReplayDomain, ReplaySetup } from '../replay-domain.js';
import { deviceLineParser } from './device-line.js';

/**
 * Shelf lines for `storegate replay`: a `devices/{id}/shelf` payload plus `device` (docs/shelves.md):
 *   {"t": <epoch ms>, "device": "shelf-a3", "channel": 0, "grams": 1234.5}
 *   {"t": <epoch ms of first sample>, "device": "shelf-a3", "channel": 0, "hz": 60, "grams": [ ... ]}
 */
export function shelfReplayDomain(): ReplayDomain {
  let hasPlanogram = false;
  const lines = deviceLineParser(['shelf']);
  return {
    name: 'shelf',
    parse(line: Record<string, unknown>): Reading[] | null {
      if (!lines.recognise(line)) return null;
      if (!hasPlanogram)
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          'shelf readings need --planogram FILE (or --config with a planogram)',
        );
      const reading = lines.parse(line);
      // Replay keeps its stricter rule: a batch's sample times come from `hz` (the wire assumes 60 Hz).
      if (reading?.type === 'shelf.weight' && reading.grams.length > 1 && reading.hz === undefined)
        throw new StoregateError('SG_PAYLOAD_REJECTED', 'a batch of grams needs "hz"');
      return reading ? [reading] : null;
    },
    processors(setup: ReplaySetup, _clock: Clock): Processor[] {
      const planogram = replayPlanogram(setup);
      if (!planogram) return [];
      hasPlanogram = true;
      if (planogram.plates.length === 0)
        throw new StoregateError('SG_BAD_ARGUMENT', `planogram ${planogram.from} has no plates`);
      const unknown = new Set<string>();
      return [
        shelfProcessor(setup.config, {
          plates: planogram.plates,
          calibrations: planogram.calibrations,
          onUnknownPlate: (device, channel) => {
            const key = `${device}#${channel}`;
            if (unknown.has(key)) return;
            unknown.add(key);
            process.stderr.write(
              `replay: ${device} channel ${channel} is not in the planogram; its samples are ignored\n`,
            );
          },
        }),
      ];
    },
  };
}
