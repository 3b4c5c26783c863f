import { type Clock, sleep } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import type { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';

/** The running shelf processor; it is rebuilt on every planogram or calibration change, so ask each time. */
export interface LiveProcessor {
  readonly processor: ShelfProcessor;
}

export function assertPlate(shelves: LiveProcessor, device: string, channel: number): void {
  if (!shelves.processor.hasPlate(device, channel)) {
    throw new StoregateError('SG_DEVICE_UNKNOWN', `${device} channel ${channel} is not in the planogram`, {
      hint: 'add the plate to the planogram first (installer web or `storegate planogram set-plate`)',
    });
  }
}

/**
 * Raw (uncalibrated) samples of one plate over the next `ms`: what `GET /api/shelves/:d/:c/samples` answers and
 * what the calibration wizard measures, in the CLI (over that route) and in the installer web (in process).
 */
export async function collectSamples(
  shelves: LiveProcessor,
  clock: Clock,
  device: string,
  channel: number,
  ms: number,
): Promise<{ samples: number[]; hz: number | null }> {
  assertPlate(shelves, device, channel);
  const samples: number[] = [];
  let hz: number | null = null;
  const untap = shelves.processor.tap(device, channel, (grams, _t, rate) => {
    samples.push(...grams);
    if (rate) hz = rate;
  });
  try {
    await sleep(clock, ms);
  } finally {
    untap();
  }
  return { samples, hz };
}

/**
 * Follow one plate's raw samples across processor rebuilds: `onSamples` gets every batch; call the returned
 * `check()` now and then to re-attach after a rebuild, and `stop()` to detach.
 */
export function followPlate(
  shelves: LiveProcessor,
  device: string,
  channel: number,
  onSamples: (grams: readonly number[]) => void,
): { check(): void; stop(): void } {
  let tapped: ShelfProcessor | null = null;
  let untap: (() => void) | null = null;
  const check = () => {
    const current = shelves.processor;
    if (current === tapped) return;
    untap?.();
    tapped = current;
    untap = current.tap(device, channel, (grams) => onSamples(grams));
  };
  check();
  return {
    check,
    stop: () => {
      untap?.();
      untap = null;
    },
  };
}
