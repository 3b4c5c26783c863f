import { runOnPort } from '../../firmware-bridge/src/emulators/port-runner.js';
import { ShelfEmulator } from '../../firmware-bridge/src/emulators/shelf.js';

/**
 * Child process of `bench:serial`: one shelf controller emulator (12 plates, 60 Hz, batches of 12) per PTY
 * path given on the command line. Runs apart from the measured process so only the gateway side is counted.
 */
const paths = process.argv.slice(2);
const runners = paths.map((path, i) =>
  runOnPort(
    new ShelfEmulator(
      { deviceId: `shelf-${i}`, serialNumber: `B-${i}`, hardware: 'bench', firmware: '1.0.0' },
      { seed: 100 + i, randomEventEveryS: 10 },
    ),
    path,
  ),
);
process.on('SIGTERM', () => {
  void Promise.all(runners.map((r) => r.stop())).then(() => process.exit(0));
});
process.stdout.write('ready\n');
