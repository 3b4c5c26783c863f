import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { bindingOf } from '../../../../firmware-bridge/src/devices/catalog.js';
import { type FlashProgress, flashFirmware } from '../../../../firmware-bridge/src/firmware/flasher.js';
import { Session } from '../../../../firmware-bridge/src/session.js';
import { type SerialLink, serialPortOpener } from '../../../../firmware-bridge/src/transport/port.js';
import { resolveBinding, sysfsPortLister } from '../../../../firmware-bridge/src/transport/port-lister.js';
import { systemClock } from '../../../../shared/src/clock.js';
import { loadConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';

interface FlashOpts {
  imageVersion: string;
  port?: string;
  baud: string;
  chunkSize: string;
  progress?: boolean;
}

/** `<device>` is a configured serial device id, or (with --port) just a label for the output. */
async function portFor(
  program: Command,
  device: string,
  opts: FlashOpts,
): Promise<{ path: string; baud: number }> {
  if (opts.port) return { path: opts.port, baud: Number(opts.baud) };
  const { config } = program.opts<{ config: string }>();
  const explicit = program.getOptionValueSource('config') === 'cli' ? config : undefined;
  const loaded = loadConfig(explicit ?? (process.env.STOREGATE_CONFIG || undefined));
  const dev = loaded.serial.devices.find((d) => d.id === device);
  if (!dev) {
    throw new StoregateError(
      'SG_DEVICE_UNKNOWN',
      `no serial device "${device}" in ${loaded.configFile ?? 'the configuration'}`,
      {
        hint: 'use an id from serial.devices, or pass --port <path>',
      },
    );
  }
  if (dev.driver !== 'storegate') {
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      `${device} uses the ${dev.driver} driver; only Storegate-protocol devices take firmware over serial`,
    );
  }
  try {
    return { path: await resolveBinding(bindingOf(dev), sysfsPortLister()), baud: dev.baud };
  } catch (err) {
    throw new StoregateError('SG_IO', `${device} is not connected: ${(err as Error).message}`);
  }
}

function progressReporter(enabled: boolean) {
  if (!enabled) {
    let lastDecile = -1;
    return {
      update(p: FlashProgress) {
        const decile = Math.floor((p.acked / p.total) * 10);
        if (p.phase !== 'transfer' || decile !== lastDecile)
          process.stderr.write(`${p.phase} ${p.acked}/${p.total} bytes\n`);
        lastDecile = decile;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {percentage}% | {value}/{total} bytes | {speed} kB/s', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = systemClock().now();
  return {
    update(p: FlashProgress) {
      const speed = ((p.acked - p.resumedFrom) / Math.max(1, systemClock().now() - t0)).toFixed(1);
      if (!started) {
        bar.start(p.total, p.acked, { phase: p.phase, speed });
        started = true;
      } else bar.update(p.acked, { phase: p.phase, speed });
    },
    stop: () => bar.stop(),
  };
}

export function registerFirmwareCommand(program: Command): void {
  const firmware = program.command('firmware').description('firmware of Storegate serial devices');
  firmware
    .command('flash')
    .description('flash a firmware image over serial: chunked with CRC, resumable, verified, then reboot')
    .argument('<device>', 'serial device id from the config (or any label with --port)')
    .argument('<image>', 'firmware image file')
    .requiredOption('--image-version <version>', 'version the image reports after reboot (checked)')
    .option('--port <path>', 'serial port path instead of the configured binding')
    .option('--baud <n>', 'baud rate with --port', '115200')
    .option('--chunk-size <bytes>', 'bytes per chunk (max 1000)', '512')
    .option('--no-progress', 'plain progress lines even on a terminal')
    .action(async (device: string, imagePath: string, opts: FlashOpts) => {
      const chunkSize = Number(opts.chunkSize);
      if (!Number.isInteger(chunkSize) || chunkSize < 16 || chunkSize > 1000) {
        throw new StoregateError('SG_BAD_ARGUMENT', `--chunk-size must be 16..1000, got ${opts.chunkSize}`);
      }
      const image = await readFile(imagePath).catch((err: Error) => {
        throw new StoregateError('SG_IO', `cannot read image ${imagePath}: ${err.message}`);
      });
      const { path, baud } = await portFor(program, device, opts);
      let link: SerialLink;
      try {
        link = await serialPortOpener.open(path, baud);
      } catch (err) {
        throw new StoregateError('SG_IO', `cannot open ${path}: ${(err as Error).message}`, {
          hint: 'if the gateway or storegate-bridge holds this port, stop it (or its serial device) first',
        });
      }
      const session = new Session(link, systemClock(), 2_000);
      const progress = progressReporter(opts.progress !== false && process.stderr.isTTY === true);
      try {
        const hello = await session.identify(3_000).catch((err: Error) => {
          throw new StoregateError('SG_IO', `${device} did not identify on ${path}: ${err.message}`);
        });
        process.stderr.write(
          `${device}: ${hello.kind} ${hello.serialNumber}, firmware ${hello.firmware} → ${opts.imageVersion}\n`,
        );
        const result = await flashFirmware(session, image, {
          version: opts.imageVersion,
          chunkSize,
          onProgress: (p) => progress.update(p),
        }).catch((err: Error) => {
          throw new StoregateError('SG_IO', err.message, {
            hint: 'run the same command again: the transfer resumes',
          });
        });
        progress.stop();
        const resumed = result.resumedFrom > 0 ? ` (resumed at byte ${result.resumedFrom})` : '';
        process.stdout.write(
          `${device}: flashed ${image.length} bytes${resumed}, verified, now running ${result.firmware}\n`,
        );
      } finally {
        progress.stop();
        session.close();
        await new Promise<void>((r) => link.close(() => r()));
      }
    });
}
