import { StoregateError } from '../../core/errors.js';
/**
 * Pure parsers for the output of Debian's libgpiod command-line tools, v1 (Debian 11/12: libgpiod 1.6) and
 * v2 (Debian 13+, Raspberry Pi OS trixie). Their default formats differ:
 *
 *   v1 gpiomon: `event:  RISING EDGE offset: 17 timestamp: [1700000000.123456789]`
 *               `event: FALLING EDGE offset: 17 timestamp: [     123.000000042]`
 *   v2 gpiomon: `10002.907638045\trising\t"GPIO22"`       (named line)
 *               `10002.907638045\tfalling\tgpiochip0 17`  (unnamed line)
 *               `10002.907638045\trising\tgpiochip0 17 "GPIO17"` (with --chip-id)
 *   v1 gpioget: `1`      v2 gpioget --numeric: `1`      v2 gpioget: `"17"=active` / `GPIO17=inactive`
 */

export interface GpiomonEvent {
  edge: 'rising' | 'falling';
  /** Kernel timestamp (monotonic or realtime depending on kernel), as ms with sub-ms precision. */
  timestampMs: number;
  offset?: number;
  name?: string;
}

const V1 = /^event:\s+(RISING|FALLING) EDGE offset:\s*(\d+)\s+timestamp:\s*\[\s*(\d+)\.(\d{1,9})\]\s*$/;
const V2 = /^(\d+)\.(\d{1,9})\s+(rising|falling)\s+(.+?)\s*$/;
const V2_CHIP_LINE = /^(\S+)\s+(\d+)(?:\s+"(.*)")?$/;
const V2_QUOTED = /^"(.*)"$/;

function toMs(sec: string, frac: string): number {
  return Number(sec) * 1000 + Number(frac.padEnd(9, '0')) / 1e6;
}

/** One gpiomon output line → an event, or null for anything else (banners, blank lines, errors). */
export function parseGpiomonLine(line: string): GpiomonEvent | null {
  const v1 = V1.exec(line);
  if (v1) {
    return {
      edge: v1[1] === 'RISING' ? 'rising' : 'falling',
      offset: Number(v1[2]),
      timestampMs: toMs(v1[3]!, v1[4]!),
    };
  }
  const v2 = V2.exec(line);
  if (!v2) return null;
  const event: GpiomonEvent = { edge: v2[3] as 'rising' | 'falling', timestampMs: toMs(v2[1]!, v2[2]!) };
  const id = v2[4]!;
  const chipLine = V2_CHIP_LINE.exec(id);
  const quoted = V2_QUOTED.exec(id);
  if (quoted) event.name = quoted[1]!;
  else if (chipLine) {
    event.offset = Number(chipLine[2]);
    if (chipLine[3] !== undefined) event.name = chipLine[3];
  } else event.name = id;
  return event;
}

/** gpioget output for one line → 0/1 (either version); throws on anything else. */
export function parseGpiogetOutput(output: string): 0 | 1 {
  const text = output.trim();
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  const kv = /=(active|inactive)$/.exec(text);
  if (kv) return kv[1] === 'active' ? 1 : 0;
  throw new StoregateError('SG_IO', `unexpected gpioget output: ${JSON.stringify(text.slice(0, 80))}`);
}

/** Major version from `gpiomon --version` (`gpiomon (libgpiod) v1.6.3`, `gpiomon (libgpiod) v2.1.3`). */
export function parseLibgpiodVersion(output: string): 1 | 2 {
  const m = /libgpiod\)?\s+v?(\d+)\./.exec(output);
  if (!m)
    throw new StoregateError(
      'SG_IO',
      `cannot tell the libgpiod version from: ${JSON.stringify(output.slice(0, 80))}`,
    );
  return Number(m[1]) >= 2 ? 2 : 1;
}

/** Command lines per tool version (v2 takes the chip with -c and holds gpioset by default). */
export function gpiodArgs(version: 1 | 2, chip: string, line: number, activeLow: boolean) {
  const low = activeLow ? ['--active-low'] : [];
  return version === 1
    ? {
        mon: [...low, '--line-buffered', chip, String(line)],
        get: [...low, chip, String(line)],
        set: (v: 0 | 1) => [...low, '--mode=signal', chip, `${line}=${v}`],
      }
    : {
        mon: [...low, '--edges=both', '-c', chip, String(line)],
        get: [...low, '--numeric', '-c', chip, String(line)],
        set: (v: 0 | 1) => [...low, '-c', chip, `${line}=${v}`],
      };
}
