import { type CalibrationRecord, computeCalibration, meanStd } from '../../core/calibration.js';
import { StoregateError } from '../../core/errors.js';

/** Where the wizard reads raw samples: the live gateway (HTTP), MQTT, or a fake/emulator in tests. */
export interface SampleSource {
  /** Raw (uncalibrated) samples of one channel collected over `ms`. */
  read(device: string, channel: number, ms: number): Promise<number[]>;
}

/** How the wizard talks to the installer: readline in a terminal, a script in tests and `--yes` mode. */
export interface Prompter {
  say(text: string): void;
  /** Wait for the installer; returns the typed answer ('' for just Enter). */
  ask(question: string): Promise<string>;
}

export interface WizardOptions {
  device: string;
  channel: number;
  /** Known weights; asked for when absent. */
  spanGrams?: number;
  checkGrams?: number;
  measureMs: number;
  installer: string;
  note?: string;
  now: () => number;
}

/** Measured spread above this many grams means something touched the plate while measuring. */
const MAX_STEP_SPREAD_FACTOR = 6;

async function measure(
  source: SampleSource,
  o: WizardOptions,
  what: string,
  prompter: Prompter,
): Promise<number[]> {
  const samples = await source.read(o.device, o.channel, o.measureMs);
  if (samples.length < 5) {
    throw new StoregateError(
      'SG_NOT_READY',
      `only ${samples.length} sample(s) from ${o.device} channel ${o.channel} during ${what}`,
      {
        hint: 'is the shelf connected and sending? `storegate doctor` checks the device',
      },
    );
  }
  const { mean, std } = meanStd(samples);
  prompter.say(`  ${what}: ${samples.length} samples, mean ${mean.toFixed(1)}, noise ${std.toFixed(2)}`);
  return samples;
}

/** A typo asks again (up to a few times) instead of throwing away the steps already measured. */
const MAX_WEIGHT_ATTEMPTS = 5;

async function weight(prompter: Prompter, given: number | undefined, question: string, optional: boolean) {
  if (given !== undefined) return given;
  for (let attempt = 1; ; attempt++) {
    const answer = (await prompter.ask(question)).trim();
    if (answer === '' && optional) return undefined;
    const g = Number(answer.replace(/\s*g$/i, ''));
    if (g > 0 && Number.isFinite(g)) return g;
    if (attempt >= MAX_WEIGHT_ATTEMPTS) {
      throw new StoregateError('SG_BAD_ARGUMENT', `a weight in grams is needed, got "${answer}"`);
    }
    prompter.say(`  "${answer}" is not a weight in grams (for example 500); try again`);
  }
}

/**
 * Installer-guided calibration: tare (empty plate, also the noise floor), a known span weight, optionally a
 * second weight to check linearity. Returns the record to store; nothing is stored if any step fails.
 */
export async function runCalibrationWizard(
  source: SampleSource,
  prompter: Prompter,
  o: WizardOptions,
): Promise<CalibrationRecord> {
  prompter.say(`Calibrating ${o.device} channel ${o.channel}.`);
  await prompter.ask('1/3 Empty the plate completely and keep hands off, then press Enter: ');
  const zero = await measure(source, o, 'tare', prompter);
  const spanGrams = await weight(prompter, o.spanGrams, 'Weight of the known span weight in grams: ', false);
  await prompter.ask(
    `2/3 Put the ${spanGrams} g weight in the middle of the plate, hands off, press Enter: `,
  );
  const span = await measure(source, o, 'span', prompter);
  const noise = meanStd(zero).std;
  if (meanStd(span).std > Math.max(1, noise * MAX_STEP_SPREAD_FACTOR)) {
    throw new StoregateError('SG_NOT_READY', 'the span reading was not still: was the plate touched?', {
      hint: 'run the calibration again and keep hands off while measuring',
    });
  }
  const checkGrams = await weight(
    prompter,
    o.checkGrams,
    'Second weight for the linearity check in grams (Enter to skip): ',
    true,
  );
  let check: number[] | undefined;
  if (checkGrams !== undefined) {
    await prompter.ask(`3/3 Replace it with the ${checkGrams} g weight, hands off, press Enter: `);
    check = await measure(source, o, 'linearity check', prompter);
  }
  const factors = computeCalibration({
    zero,
    span,
    spanGrams: spanGrams!,
    ...(check && checkGrams !== undefined ? { check, checkGrams } : {}),
  });
  prompter.say(
    `  zero ${factors.zeroGrams.toFixed(2)}, scale ${factors.scale.toFixed(5)}, noise floor ${factors.noiseGrams.toFixed(2)} g` +
      (factors.linearityErrorGrams !== undefined
        ? `, linearity error ${factors.linearityErrorGrams.toFixed(2)} g`
        : ''),
  );
  if (
    factors.linearityErrorGrams !== undefined &&
    checkGrams !== undefined &&
    factors.linearityErrorGrams > Math.max(2, checkGrams * 0.005)
  ) {
    prompter.say('  warning: the load cell is not linear within 0.5%: check mounting and wiring');
  }
  const note = o.note ?? (await prompter.ask('Installer note (Enter for none): ')).trim();
  return {
    device: o.device,
    channel: o.channel,
    zeroGrams: factors.zeroGrams,
    scale: factors.scale,
    spanGrams: spanGrams!,
    ...(checkGrams !== undefined ? { checkGrams } : {}),
    ...(factors.linearityErrorGrams !== undefined
      ? { linearityErrorGrams: factors.linearityErrorGrams }
      : {}),
    noiseGrams: factors.noiseGrams,
    calibratedAt: o.now(),
    installer: o.installer,
    note,
  };
}
