import { StoregateError } from '../../core/errors.js';
import {
  type GpioLine,
  type GpioPort,
  type GpioValue,
  type GpioWatch,
  lineName,
  type WatchOptions,
} from './gpio-port.js';

type SysfsLine = import('onoff').Gpio;

/**
 * sysfs GPIO through `onoff`. Kept thin: sysfs is gone on Raspberry Pi OS kernels 6.6+ and the Pi 5
 * (onoff #197, #200, #205), where `gpio_driver: gpiod` is the one to use. onoff is loaded lazily so that a
 * machine without sysfs GPIO (or without its native epoll addon) never loads it.
 */
export class OnoffGpio implements GpioPort {
  readonly driver = 'onoff' as const;
  private readonly lines = new Set<SysfsLine>();

  constructor(private readonly now: () => number = Date.now) {}

  async watch(line: GpioLine, options: WatchOptions): Promise<GpioWatch> {
    const gpio = await this.open(line, 'both');
    let active = true;
    gpio.watch((err, value) => {
      if (!active) return;
      if (err) {
        active = false;
        options.onError?.(new StoregateError('SG_IO', `${lineName(line)}: ${err.message}`, { cause: err }));
        return;
      }
      options.onEdge(value, this.now());
    });
    const initial = (await gpio.read()) as GpioValue;
    return {
      initial,
      stop: async () => {
        active = false;
        gpio.unwatchAll();
        gpio.unexport();
        this.lines.delete(gpio);
      },
    };
  }

  async read(line: GpioLine): Promise<GpioValue> {
    const gpio = await this.open(line, 'none');
    try {
      return (await gpio.read()) as GpioValue;
    } finally {
      gpio.unexport();
      this.lines.delete(gpio);
    }
  }

  async write(line: GpioLine, value: GpioValue): Promise<void> {
    const gpio = await this.open(line, 'none', 'out');
    await gpio.write(value);
  }

  async close(): Promise<void> {
    for (const gpio of this.lines) {
      gpio.unwatchAll();
      gpio.unexport();
    }
    this.lines.clear();
  }

  private async open(
    line: GpioLine,
    edge: 'none' | 'both',
    direction: 'in' | 'out' = 'in',
  ): Promise<SysfsLine> {
    let Gpio: typeof import('onoff').Gpio;
    try {
      ({ Gpio } = await import('onoff'));
    } catch (err) {
      throw new StoregateError('SG_IO', `onoff cannot be loaded: ${(err as Error).message}`, {
        hint: 'use footfall.gpio_driver: gpiod',
      });
    }
    if (!Gpio.accessible) {
      throw new StoregateError('SG_IO', 'sysfs GPIO (/sys/class/gpio) is not accessible on this machine', {
        hint: 'kernels 6.6+ and the Raspberry Pi 5 removed it: set footfall.gpio_driver: gpiod',
      });
    }
    try {
      const gpio = new Gpio(line.line, direction, edge, { activeLow: line.activeLow ?? false });
      this.lines.add(gpio);
      return gpio;
    } catch (err) {
      throw new StoregateError('SG_IO', `cannot export GPIO ${line.line}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
