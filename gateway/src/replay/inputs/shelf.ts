import type { Clock } from '../../../../shared/src/clock.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { StoregateError } from '../../core/errors.js';
import type { Processor } from '../../ports/pipeline.js';
import { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import { loadPlanogramFile } from '../../registry/planogram-file.js';
import type { ReplayDomain, ReplayOptions } from '../replay-domain.js';
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
      if (!hasPlanogram) throw new Error('shelf readings need --planogram FILE');
      const reading = lines.parse(line);
      // Replay keeps its stricter rule: a batch's sample times come from `hz` (the wire assumes 60 Hz).
      if (reading?.type === 'shelf.weight' && reading.grams.length > 1 && reading.hz === undefined)
        throw new Error('a batch of grams needs "hz"');
      return reading ? [reading] : null;
    },
    processors(options: ReplayOptions, _clock: Clock): Processor[] {
      if (!options.planogram) return [];
      hasPlanogram = true;
      const plates = loadPlanogramFile(options.planogram);
      if (plates.length === 0)
        throw new StoregateError('SG_BAD_ARGUMENT', `planogram ${options.planogram} has no plates`);
      const unknown = new Set<string>();
      return [
        new ShelfProcessor({
          plates,
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
