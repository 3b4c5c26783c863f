import { meanStd } from '../../core/calibration.js';
import { StoregateError } from '../../core/errors.js';
import type { SampleSource } from './wizard.js';

/** How long the device check and each live reading measure. */
export const CHECK_MS = 1_000;
export const LIVE_MS = 700;

/** One line about what the plate reads now (raw, uncalibrated units), for the installer to watch. */
export function liveLine(samples: readonly number[]): string {
  if (samples.length === 0) return 'live: no samples';
  const { mean, std } = meanStd([...samples]);
  return `live: ${mean.toFixed(1)} (±${std.toFixed(1)}, ${samples.length} samples)`;
}

/**
 * Before any physical step: the device is a known shelf plate and it is sending. An unknown device or a plate
 * outside the planogram is the gateway's 404 (SG_DEVICE_UNKNOWN, with its hint); silence is SG_NOT_READY.
 */
export async function checkDevice(source: SampleSource, device: string, channel: number): Promise<number[]> {
  const samples = await source.read(device, channel, CHECK_MS);
  if (samples.length < 2) {
    throw new StoregateError(
      'SG_NOT_READY',
      `${device} channel ${channel} sent ${samples.length} sample(s) in ${CHECK_MS / 1000} s`,
      {
        hint: 'is the shelf controller powered and connected? `storegate device list` shows when it was last seen',
      },
    );
  }
  return samples;
}

/**
 * While the installer reads a prompt, refresh a live reading on the line above it (terminals only): the
 * cursor is saved, moved up, the line rewritten, the cursor restored, so typing is not disturbed.
 */
export function startLiveReadings(
  source: SampleSource,
  device: string,
  channel: number,
  write: (s: string) => void,
): () => void {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      let line: string;
      try {
        line = liveLine(await source.read(device, channel, LIVE_MS));
      } catch (err) {
        line = `live: ${(err as Error).message}`;
      }
      if (!stopped) write(`\x1b7\x1b[1A\r\x1b[2K  ${line}\x1b8`);
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
