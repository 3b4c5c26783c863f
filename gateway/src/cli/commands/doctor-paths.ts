import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { loadPlanogramFile } from '../../registry/planogram-file.js';
import type { CheckResult } from './doctor-checks.js';

const result = (name: string, status: CheckResult['status'], message: string): CheckResult => ({
  name,
  status,
  message,
});

/** Store ids the example config and the built-in defaults ship with: not a real store's. */
const EXAMPLE_STORE_IDS = new Set(['store-0421', 'demo-store']);

function fromConfig(config: LoadedConfig, file: string): string {
  return isAbsolute(file) || !config.configFile ? file : resolve(dirname(config.configFile), file);
}

function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/**
 * Every path the config names, checked as `start` will use it: the planogram file loads, each serial device
 * path exists, each GPIO door's chip and the GPIO driver's tools are there. What `start` would fail on FAILs.
 */
export function checkPaths(config: LoadedConfig): CheckResult[] {
  const out: CheckResult[] = [];
  if (EXAMPLE_STORE_IDS.has(config.store.id)) {
    out.push(
      result('store id', 'WARN', `"${config.store.id}" is an example id: set store.id to this store's id`),
    );
  }
  const planogram = config.shelves.planogram;
  if (planogram) {
    const file = fromConfig(config, planogram);
    try {
      const plates = loadPlanogramFile(file);
      out.push(result('planogram', 'PASS', `${file}: ${plates.length} plate(s)`));
    } catch (err) {
      out.push(result('planogram', 'FAIL', `${(err as Error).message} (shelves.planogram)`));
    }
  }
  for (const [i, d] of config.serial.devices.entries()) {
    const name = `serial ${d.id}`;
    if (d.path === undefined) {
      out.push(result(name, 'PASS', 'bound by USB id (matched at start)'));
    } else if (existsSync(d.path)) {
      out.push(result(name, 'PASS', `${d.path} → ${realpathSync(d.path)}`));
    } else {
      out.push(
        result(
          name,
          'FAIL',
          `${d.path} does not exist (serial.devices[${i}].path; is it plugged in? ls /dev/serial/by-id)`,
        ),
      );
    }
  }
  const gpioDoors = config.footfall.doors.filter((d) => d.gpio);
  if (gpioDoors.length > 0) {
    const driver = config.footfall.gpio_driver;
    if (driver === 'gpiod') {
      out.push(
        hasTool('gpiomon')
          ? result('gpio tools', 'PASS', 'libgpiod tools found (gpiomon)')
          : result('gpio tools', 'FAIL', 'gpiomon not found: install the libgpiod tools (apt install gpiod)'),
      );
      for (const d of gpioDoors) {
        const chip = d.gpio!.chip;
        const dev = chip.startsWith('/') ? chip : `/dev/${chip}`;
        out.push(
          existsSync(dev)
            ? result(`gpio ${d.id}`, 'PASS', `${dev} exists`)
            : result(
                `gpio ${d.id}`,
                'FAIL',
                `${dev} does not exist (footfall.doors: ${d.id}.gpio.chip; gpiodetect lists the chips)`,
              ),
        );
      }
    } else {
      out.push(
        existsSync('/sys/class/gpio')
          ? result('gpio sysfs', 'PASS', '/sys/class/gpio exists')
          : result(
              'gpio sysfs',
              'FAIL',
              '/sys/class/gpio does not exist (gpio_driver onoff needs the sysfs GPIO interface)',
            ),
      );
    }
  }
  return out;
}
