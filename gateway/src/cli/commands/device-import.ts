import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { StoregateError } from '../../core/errors.js';
import { DEVICE_CSV_COLUMNS } from '../../features/devices/device-csv.js';
import { importDevicesCsv } from '../../features/devices/device-import.js';
import { loadCliConfig, withRegistry } from '../cli-config.js';
import { formatLocation, printJson, printLine, table } from '../output.js';
import { deviceJson } from './device-credentials-output.js';

/** `storegate device import FILE.csv`: bulk provisioning, all or nothing (features/devices/device-import.ts). */
export function registerDeviceImportCommand(device: Command): void {
  const cmd = device
    .command('import')
    .description('register many devices from a CSV file (all or nothing); prints each new secret once')
    .argument('<file>', `CSV with a header line: ${DEVICE_CSV_COLUMNS.join(',')} (id and kind required)`)
    .option('--broker-url <url>', 'broker URL devices should dial (default: from config and this host)')
    .option('--json', 'machine-readable output (with each device’s QR payload)')
    .addHelpText(
      'after',
      '\nExample file:\n  id,kind,aisle,fixture,labels\n  shelf-a3,shelf,a,a3,vendor=acme;model=hx711\n  door-main,door,,,\n',
    )
    .action(async (file: string, opts: { json?: boolean; brokerUrl?: string }) => {
      const config = loadCliConfig(cmd);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new StoregateError('SG_IO', `cannot read ${file}: ${(err as Error).message}`);
      }
      const result = await withRegistry(config, (r) => importDevicesCsv(r, config, text, opts.brokerUrl));
      if (!result.ok) {
        if (opts.json) printJson({ imported: 0, errors: result.errors });
        else for (const e of result.errors) process.stderr.write(`${file}:${e.line}: ${e.message}\n`);
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          `${result.errors.length} problem(s) in ${file}; no device was registered`,
          { hint: 'fix the lines above and import the whole file again' },
        );
      }
      if (opts.json) {
        printJson({
          imported: result.devices.length,
          devices: result.devices.map((d) => ({
            device: deviceJson(d.device),
            secret: d.secret,
            mqtt: d.mqtt,
            qr_payload: JSON.stringify(d.payload),
          })),
        });
        return;
      }
      printLine(
        table(
          ['ID', 'KIND', 'LOCATION', 'SECRET'],
          result.devices.map((d) => [
            d.device.id,
            d.device.kind,
            formatLocation(d.device.location),
            d.secret,
          ]),
        ),
      );
      printLine(
        `${result.devices.length} device(s) registered from ${file}; broker ${result.devices[0]!.payload.broker}.`,
      );
      printLine('The secrets are shown only now: store them on the devices (--json gives each QR payload).');
    });
}
