import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { StoregateError } from '../../core/errors.js';
import { withApiAuth } from '../api-credentials.js';
import { GatewayHttpCalibration } from '../calibration/gateway-source.js';
import { checkDevice, liveLine, startLiveReadings } from '../calibration/preflight.js';
import { type Prompter, runCalibrationWizard } from '../calibration/wizard.js';
import { loadCliConfig } from '../cli-config.js';

interface CalibrateOptions {
  channel: string;
  gateway?: string;
  spanGrams?: string;
  checkGrams?: string;
  measureMs: string;
  installer?: string;
  note?: string;
  yes?: boolean;
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0))
    throw new StoregateError('SG_BAD_ARGUMENT', `${name} must be a positive number, got "${value}"`);
  return n;
}

/** `--yes`: no questions; weights must come from flags and the installer places them on cue (or a script). */
function scriptedPrompter(): Prompter {
  return {
    say: (text) => process.stdout.write(`${text}\n`),
    ask: async (question) => {
      process.stdout.write(`${question}(--yes)\n`);
      return '';
    },
  };
}

export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description('installer-guided load-cell calibration: tare, span weight, linearity check, noise floor')
    .argument('<device>', 'shelf device id')
    .option('--channel <n>', 'load-cell channel', '0')
    .option('--gateway <url>', 'running gateway to measure through (default http://127.0.0.1:<http.port>)')
    .option('--span-grams <g>', 'known span weight')
    .option('--check-grams <g>', 'second weight for the linearity check')
    .option('--measure-ms <ms>', 'how long each step measures', '3000')
    .option('--installer <name>', 'recorded with the calibration')
    .option('--note <text>', 'installer note')
    .option('--yes', 'scripted: no prompts (needs --span-grams)')
    .action(async (device: string, o: CalibrateOptions, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const channel = Number(o.channel);
      if (!Number.isInteger(channel) || channel < 0 || channel > 63) {
        throw new StoregateError('SG_BAD_ARGUMENT', '--channel must be 0..63');
      }
      if (o.yes && o.spanGrams === undefined) {
        throw new StoregateError('SG_BAD_ARGUMENT', '--yes needs --span-grams');
      }
      const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
      await withApiAuth(config, async (auth) => {
        const gateway = new GatewayHttpCalibration(o.gateway ?? `http://${host}:${config.http.port}`, auth);
        // The device first: nobody empties a plate for a device that is unknown, not a plate, or silent.
        const first = await checkDevice(gateway, device, channel);
        process.stdout.write(`${device} channel ${channel} is sending: ${liveLine(first)}\n`);
        const rl = o.yes ? null : createInterface({ input: process.stdin, output: process.stdout });
        const tty = process.stdout.isTTY === true;
        const prompter: Prompter = rl
          ? {
              say: (text) => process.stdout.write(`${text}\n`),
              ask: async (q) => {
                if (!tty) return rl.question(q);
                // A line for the live reading, refreshed above the question until it is answered.
                process.stdout.write('  live: …\n');
                const stop = startLiveReadings(gateway, device, channel, (s) => process.stdout.write(s));
                try {
                  return await rl.question(q);
                } finally {
                  stop();
                }
              },
            }
          : scriptedPrompter();
        const installer = o.installer ?? safeUser();
        try {
          const spanGrams = positive(o.spanGrams, '--span-grams');
          const checkGrams = positive(o.checkGrams, '--check-grams');
          const record = await runCalibrationWizard(gateway, prompter, {
            device,
            channel,
            ...(spanGrams !== undefined ? { spanGrams } : {}),
            ...(checkGrams !== undefined ? { checkGrams } : {}),
            measureMs: positive(o.measureMs, '--measure-ms') ?? 3000,
            installer,
            ...(o.note !== undefined || o.yes ? { note: o.note ?? '' } : {}),
            now: Date.now,
          });
          await gateway.save(record);
          process.stdout.write(`calibration of ${device} channel ${channel} saved\n`);
        } finally {
          rl?.close();
        }
      });
    });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'installer';
  }
}
