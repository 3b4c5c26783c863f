import type { Clock } from '../../../../shared/src/clock.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { StoregateError } from '../../core/errors.js';
import type { Processor } from '../../ports/pipeline.js';
import { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import { loadPlanogramFile } from '../../registry/planogram-file.js';
import type { ReplayDomain, ReplayOptions } from '../replay-domain.js';

/**
 * Shelf lines for `storegate replay`:
 *   {"t": <epoch ms>, "device": "shelf-a3", "channel": 0, "grams": 1234.5}
 *   {"t": <epoch ms of first sample>, "device": "shelf-a3", "channel": 0, "hz": 60, "grams": [ ... ]}
 */
export function shelfReplayDomain(): ReplayDomain {
  let hasPlanogram = false;
  return {
    name: 'shelf',
    parse(line: Record<string, unknown>): Reading[] | null {
      if (!('grams' in line) || !('channel' in line) || !('device' in line)) return null;
      if (!hasPlanogram) throw new Error('shelf readings need --planogram FILE');
      const { t, device, channel, grams, hz } = line;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new Error('"t" must be epoch milliseconds');
      if (typeof device !== 'string' || device === '') throw new Error('"device" must be a non-empty string');
      if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 0 || channel > 63) {
        throw new Error('"channel" must be an integer 0..63');
      }
      const samples = typeof grams === 'number' ? [grams] : grams;
      if (
        !Array.isArray(samples) ||
        samples.length === 0 ||
        !samples.every((g) => typeof g === 'number' && Number.isFinite(g))
      ) {
        throw new Error('"grams" must be a number or a non-empty array of numbers');
      }
      if (hz !== undefined && (typeof hz !== 'number' || !(hz > 0) || hz > 1000)) {
        throw new Error('"hz" must be a sample rate in (0, 1000]');
      }
      if (samples.length > 1 && hz === undefined) throw new Error('a batch of grams needs "hz"');
      for (const key of Object.keys(line)) {
        if (!['t', 'device', 'channel', 'grams', 'hz'].includes(key))
          throw new Error(`unknown key "${key}" in shelf line`);
      }
      return [
        {
          type: 'shelf.weight',
          deviceId: device,
          channel,
          grams: samples as number[],
          ...(hz !== undefined ? { hz: hz as number } : {}),
          deviceTime: t,
          receivedAt: t,
          quality: 'good',
          source: 'replay',
        },
      ];
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
