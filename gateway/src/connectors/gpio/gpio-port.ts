/**
 * GPIO port: the few things door counters need from a GPIO line. Three implementations: `onoff` (sysfs),
 * `gpiod` (character device through Debian's libgpiod tools; the only one that works on Raspberry Pi OS with
 * kernel 6.6+ and on the Pi 5, where sysfs GPIO is gone or renumbered), and `FakeGpio` for tests.
 *
 * Guarantees every implementation honours (test/footfall/gpio-contract.test.ts runs them against the fake and
 * against the gpiod driver with stand-in tools that print real libgpiod v1 output; onoff needs sysfs hardware):
 * - values are *logical*: `activeLow` is applied by the implementation, 1 means "asserted";
 * - `watch` resolves only once the line is requested and edges are being delivered, with the level read at
 *   that moment in `initial`; it rejects with a StoregateError (`SG_IO`) naming the chip and line otherwise;
 * - edges of one line are delivered in order, each with an epoch-ms time; a repeated level may be delivered
 *   (debounced hardware, missed edge) and consumers must tolerate it;
 * - after `stop()` resolves no callback fires; `onError` is called at most once if the watch dies later
 *   (tool exits, line taken), after which the watch delivers nothing more;
 * - `write` holds the level until the next `write` on that line or `close()`;
 * - `close()` releases every line this port requested and is idempotent.
 */
export type GpioValue = 0 | 1;

export interface GpioLine {
  /** Chip name (`gpiochip0`) — sysfs has one global numbering and ignores it. */
  chip: string;
  /** Line offset on the chip (sysfs: global GPIO number). */
  line: number;
  activeLow?: boolean;
}

export interface WatchOptions {
  onEdge(value: GpioValue, t: number): void;
  onError?(err: Error): void;
}

export interface GpioWatch {
  readonly initial: GpioValue;
  stop(): Promise<void>;
}

export interface GpioPort {
  readonly driver: 'onoff' | 'gpiod' | 'fake';
  watch(line: GpioLine, options: WatchOptions): Promise<GpioWatch>;
  read(line: GpioLine): Promise<GpioValue>;
  write(line: GpioLine, value: GpioValue): Promise<void>;
  close(): Promise<void>;
}

export const lineName = (l: GpioLine): string => `${l.chip}:${l.line}`;
