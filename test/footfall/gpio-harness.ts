import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGpio } from '../../gateway/src/connectors/gpio/fake-gpio.js';
import type { GpioPort, GpioValue } from '../../gateway/src/connectors/gpio/gpio-port.js';
import { GpiodGpio } from '../../gateway/src/connectors/gpio/gpiod-gpio.js';
import { FakeClock } from '../../shared/src/clock.js';

/** What a GPIO contract test needs to do to the "hardware" behind a port. */
export interface GpioHarness {
  name: string;
  port: GpioPort;
  /** Drive the raw electrical level of an input line. */
  setPhysical(line: number, value: GpioValue): void;
  /** Requests of this line fail from now on (busy / missing). */
  makeUnavailable(line: number): void;
  /** The running watch of this line dies (tool exits, line revoked). */
  killWatch(line: number): void;
  dispose(): void;
}

export function fakeHarness(): GpioHarness {
  const clock = new FakeClock(1_700_000_000_000);
  const gpio = new FakeGpio(clock);
  return {
    name: 'FakeGpio',
    port: gpio,
    setPhysical: (line, v) => gpio.setPhysical('gpiochip0', line, v),
    makeUnavailable: (line) => gpio.makeUnavailable('gpiochip0', line),
    killWatch: (line) => gpio.killWatch('gpiochip0', line),
    dispose: () => {},
  };
}

/**
 * GpiodGpio driving stand-in libgpiod v1 tools (no GPIO chip on this machine): small Node scripts that
 * print exactly what gpiomon/gpioget 1.6 print, honour --active-low, and read the "hardware" from files.
 */
export function gpiodHarness(): GpioHarness {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gpiod-harness-'));
  const tool = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `#!${process.execPath}\nconst fs = require('node:fs');\nconst dir = ${JSON.stringify(dir)};\n${body}\n`,
    );
    chmodSync(file, 0o755);
    return file;
  };
  const common = `const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('gpiomon (libgpiod) v1.6.3'); process.exit(0); }
const low = args.includes('--active-low');
const line = args[args.length - 1];
if (fs.existsSync(dir + '/busy-' + line)) { console.error('error requesting GPIO lines: Device or resource busy'); process.exit(1); }`;
  const gpiomon = tool(
    'gpiomon',
    `${common}
fs.writeFileSync(dir + '/pid-' + line, String(process.pid));
const file = dir + '/events-' + line;
let offset = fs.existsSync(file) ? fs.statSync(file).size : 0;
setInterval(() => {
  if (!fs.existsSync(file)) return;
  const buf = fs.readFileSync(file);
  for (const raw of buf.subarray(offset).toString().split('\\n').filter(Boolean)) {
    const [value, ts] = raw.split(' ');
    const rising = (value === '1') !== low;
    process.stdout.write('event: ' + (rising ? ' RISING EDGE' : 'FALLING EDGE') + ' offset: ' + line + ' timestamp: [' + ts + ']\\n');
  }
  offset = buf.length;
}, 5);`,
  );
  const gpioget = tool(
    'gpioget',
    `${common}
const f = dir + '/level-' + line;
const v = fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : '0';
console.log(low ? (v === '1' ? '0' : '1') : v);`,
  );
  const gpioset = tool('gpioset', `${common}\nsetInterval(() => {}, 1000);`);
  let kernelNs = 1_000_000_000_000n;
  return {
    name: 'GpiodGpio (libgpiod v1 tool output)',
    port: new GpiodGpio(Date.now, { gpiomon, gpioget, gpioset }, 1_500), // node-script tools start slower than C
    setPhysical(line, value) {
      const before = existsSync(join(dir, `level-${line}`))
        ? readFileSync(join(dir, `level-${line}`), 'utf8').trim()
        : '0';
      writeFileSync(join(dir, `level-${line}`), String(value));
      if (before === String(value)) return;
      kernelNs += 7_000_000n;
      const ts = `${kernelNs / 1_000_000_000n}.${String(kernelNs % 1_000_000_000n).padStart(9, '0')}`;
      appendFileSync(join(dir, `events-${line}`), `${value} ${ts}\n`);
    },
    makeUnavailable: (line) => writeFileSync(join(dir, `busy-${line}`), ''),
    killWatch(line) {
      const pid = Number(readFileSync(join(dir, `pid-${line}`), 'utf8'));
      process.kill(pid, 'SIGKILL');
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
