#!/usr/bin/env node
import { Command } from 'commander';
import { DoorEmulator } from './door.js';
import { type Attachable, runOnPort } from './port-runner.js';
import type { EmulatorIdentity } from './protocol-emulator.js';
import { ScaleEmulator } from './scale.js';
import { ScannerEmulator } from './scanner.js';
import { ShelfEmulator } from './shelf.js';
import { SicsScaleEmulator } from './sics-scale.js';

/**
 * `storegate-emulate <kind> --port <pty>`: firmware emulators on a serial port (one end of a socat PTY pair),
 * for demos and manual tests. They keep running across unplug/replug of the port.
 */
interface Common {
  port: string;
  id?: string;
  serial?: string;
  firmware: string;
  seed: string;
  baud?: string;
}

const identity = (kind: string, o: Common): EmulatorIdentity => ({
  deviceId: o.id ?? `${kind}-emu`,
  serialNumber: o.serial ?? `SG${kind.slice(0, 2).toUpperCase()}-${o.seed.padStart(6, '0')}`,
  hardware: `sg-${kind}-emulator`,
  firmware: o.firmware,
});

function run(target: Attachable, o: Common, defaultBaud: number, onOpen?: () => void): void {
  const runner = runOnPort(target, o.port, {
    baudRate: Number(o.baud ?? defaultBaud),
    onState: (state) => {
      process.stderr.write(`${new Date().toISOString()} ${o.port}: ${state}\n`);
      if (state === 'open') onOpen?.();
    },
  });
  const shutdown = () => void runner.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

const program = new Command('storegate-emulate').description(
  'Storegate device firmware emulators on a serial port',
);
const withCommon = (c: Command) =>
  c
    .requiredOption('--port <path>', 'serial port / PTY end to open')
    .option('--id <id>', 'device id reported in hello')
    .option('--serial <sn>', 'serial number reported in hello')
    .option('--firmware <version>', 'firmware version reported in hello', '1.0.0')
    .option('--seed <n>', 'random seed (noise, events)', '1')
    .option('--baud <n>', 'baud rate');

withCommon(
  program
    .command('shelf')
    .description('12-plate shelf controller, 60 Hz, noise/drift/spikes, random picks/puts'),
)
  .option('--channels <n>', 'plates', '12')
  .option('--hz <n>', 'sample rate (10, 60 or 80)', '60')
  .option('--events-every <s>', 'mean seconds between random picks/puts (0 = none)', '20')
  .action((o: Common & { channels: string; hz: string; eventsEvery: string }) => {
    const shelf = new ShelfEmulator(identity('shelf', o), {
      channels: Number(o.channels),
      hz: Number(o.hz),
      seed: Number(o.seed),
      randomEventEveryS: Number(o.eventsEvery),
    });
    run(shelf, o, 115_200);
  });

withCommon(program.command('scale').description('bagging scale; Storegate protocol or MT-SICS'))
  .option('--protocol <p>', 'storegate | mt-sics', 'storegate')
  .option('--items-every <s>', 'mean seconds between items placed (0 = none)', '8')
  .action((o: Common & { protocol: string; itemsEvery: string }) => {
    const scale =
      o.protocol === 'mt-sics'
        ? new SicsScaleEmulator(o.serial ?? 'B000000001')
        : new ScaleEmulator(identity('scale', o));
    run(scale, o, o.protocol === 'mt-sics' ? 9600 : 115_200);
    const every = Number(o.itemsEvery) * 1000;
    if (every > 0)
      setInterval(() => scale.model.place([125, 330, 500, 1000][Math.floor(Math.random() * 4)]!), every);
  });

withCommon(program.command('scanner').description('line-based barcode scanner (CR LF, optional AIM id)'))
  .option(
    '--codes <list>',
    'comma-separated codes to cycle through',
    '4006381333931,96385074,036000291452,10614141000415',
  )
  .option('--every <ms>', 'milliseconds between scans', '3000')
  .option('--aim', 'prefix the AIM symbology identifier')
  .option('--prefix <s>', 'prefix', '')
  .option('--suffix <s>', 'suffix', '')
  .action((o: Common & { codes: string; every: string; aim?: boolean; prefix: string; suffix: string }) => {
    const scanner = new ScannerEmulator({ aim: o.aim === true, prefix: o.prefix, suffix: o.suffix });
    const codes = o.codes.split(',').filter(Boolean);
    let i = 0;
    run(scanner, o, 9600);
    setInterval(() => scanner.scan(codes[i++ % codes.length]!), Number(o.every));
  });

withCommon(program.command('door').description('dual-beam door counter'))
  .option('--every <s>', 'mean seconds between passers-by', '4')
  .action((o: Common & { every: string }) => {
    run(new DoorEmulator(identity('door', o), { everyS: Number(o.every), seed: Number(o.seed) }), o, 115_200);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(1);
});
