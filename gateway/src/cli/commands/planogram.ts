import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { facingsOf, planogramToWire } from '../../core/facings.js';
import { type PlateInput, plateKey, specToWire } from '../../core/planogram.js';
import { ShelvesStore } from '../../registry/planogram-store.js';
import { openSqliteDeviceRegistry } from '../../registry/sqlite-device-registry.js';
import { loadCliConfig, registryFile } from '../cli-config.js';
import { confirm, withYes } from '../confirm.js';
import { printJson, printLine, table } from '../output.js';

/** The gateway opens the same file and picks up a new version within 5 s. */
export function shelvesFile(config: LoadedConfig): string {
  return join(config.dataDir, 'shelves.db');
}

function withStore<T>(config: LoadedConfig, fn: (store: ShelvesStore) => T): T {
  const store = new ShelvesStore(shelvesFile(config));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function defaultUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function num(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new StoregateError('SG_BAD_ARGUMENT', `${name} must be a number, got "${value}"`);
  return n;
}

/**
 * A plate belongs to a shelf controller: a registered device of kind shelf, a serial shelf of this config
 * (serial plates need not be registered), or a device that already holds plates in the planogram. A door, a scale or a typo is refused before the planogram changes.
 */
function withRegistryFile<T>(
  config: LoadedConfig,
  fn: (r: ReturnType<typeof openSqliteDeviceRegistry>) => T,
): T {
  const registry = openSqliteDeviceRegistry(registryFile(config));
  try {
    return fn(registry);
  } finally {
    registry.close();
  }
}

function assertShelfDevice(config: LoadedConfig, device: string): void {
  const record = withRegistryFile(config, (r) => r.get(device));
  if (record && record.kind !== 'shelf') {
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      `${device} is a ${record.kind}, not a shelf: plates belong to shelves`,
    );
  }
  if (record) return;
  const planned = withStore(config, (store) =>
    (store.current()?.plates ?? []).some((p) => p.device === device),
  );
  if (planned) return;
  const serial = config.serial.devices.find((d) => d.id === device);
  if (serial && serial.driver === 'storegate' && serial.kind === 'shelf') return;
  if (serial) {
    throw new StoregateError('SG_BAD_ARGUMENT', `${device} is a serial ${serial.driver} device, not a shelf`);
  }
  throw new StoregateError('SG_DEVICE_UNKNOWN', `no shelf ${device}`, {
    hint: `register it first (\`storegate device add ${device} --kind shelf\`) or add it to serial.devices; \`storegate device list\` shows the devices`,
  });
}

export function registerPlanogramCommand(program: Command): void {
  const planogram = program.command('planogram').description('which SKU is on which shelf plate (versioned)');

  planogram
    .command('show')
    .description('print the current planogram')
    .option('--json', 'the planogram JSON (importable with `planogram import`)')
    .action((opts: { json?: boolean }, cmd: Command) => {
      withStore(loadCliConfig(cmd), (store) => {
        const v = store.current();
        const plates = (v?.plates ?? []).map(specToWire);
        if (opts.json) return printJson({ version: v?.version ?? 0, ...planogramToWire(v?.plates ?? []) });
        if (!v)
          return printLine('no planogram yet: `storegate planogram import FILE` or `planogram set-plate`');
        printLine(
          `version ${v.version}, changed by ${v.changedBy} at ${new Date(v.changedAt).toISOString()} (${v.reason})`,
        );
        const facingOf = new Map((v.plates ?? []).map((p) => [plateKey(p.device, p.channel), p.facing]));
        const rows = plates.map((p) => [
          facingOf.get(plateKey(p.device, p.channel)) ?? '',
          p.device,
          String(p.channel),
          p.sku,
          String(p.unit_grams),
          String(p.tolerance_grams),
          String(p.capacity),
          String(p.low_stock),
        ]);
        printLine(table(['facing', 'device', 'channel', 'sku', 'unit g', '± g', 'capacity', 'low at'], rows));
      });
    });

  planogram
    .command('history')
    .description('who changed the planogram, when and why')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => {
      withStore(loadCliConfig(cmd), (store) => {
        const h = store.history();
        if (opts.json) return printJson(h);
        const rows = h.map((x) => [
          String(x.version),
          new Date(x.changedAt).toISOString(),
          x.changedBy,
          x.reason,
        ]);
        printLine(table(['version', 'at', 'by', 'change'], rows));
      });
    });

  planogram
    .command('learned')
    .description('unit weight and spread each facing learned from settled, unambiguous events')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => {
      withStore(loadCliConfig(cmd), (store) => {
        const nominal = new Map(facingsOf(store.current()?.plates ?? []).map((f) => [f.id, f]));
        const learned = store.learnedWeights();
        if (opts.json) return printJson({ learned });
        if (learned.length === 0)
          return printLine('nothing learned yet (the gateway writes it every minute)');
        const rows = learned.map((w) => {
          const f = nominal.get(w.facing);
          return [
            w.facing,
            f?.sku ?? '?',
            f ? String(f.unitGrams) : '?',
            w.mean.toFixed(1),
            w.spread.toFixed(2),
            String(w.n),
            new Date(w.updatedAt).toISOString(),
          ];
        });
        printLine(table(['facing', 'sku', 'nominal g', 'learned g', 'spread g', 'events', 'at'], rows));
      });
    });

  planogram
    .command('set-plate')
    .description('add or replace one plate')
    .argument('<device>', 'shelf device id')
    .argument('<channel>', 'load-cell channel')
    .requiredOption('--sku <sku>', 'SKU on this plate')
    .requiredOption('--unit-grams <g>', 'weight of one unit')
    .requiredOption('--capacity <n>', 'units that fit the facing')
    .option('--tolerance-grams <g>', 'per-unit weight tolerance (default 2% of the unit, min 2 g)')
    .option('--low-stock <n>', 'low-stock alert at or below this many units (default 25% of capacity)')
    .option('--name <text>', 'product name')
    .option('--by <who>', 'recorded with the change', defaultUser())
    .action((device: string, channel: string, o: Record<string, string>, cmd: Command) => {
      const plate: PlateInput = {
        device,
        channel: num(channel, 'channel'),
        sku: o.sku!,
        unit_grams: num(o.unitGrams!, '--unit-grams'),
        capacity: num(o.capacity!, '--capacity'),
        ...(o.toleranceGrams ? { tolerance_grams: num(o.toleranceGrams, '--tolerance-grams') } : {}),
        ...(o.lowStock ? { low_stock: num(o.lowStock, '--low-stock') } : {}),
        ...(o.name ? { name: o.name } : {}),
      };
      const config = loadCliConfig(cmd);
      assertShelfDevice(config, device);
      withStore(config, (store) => {
        const v = store.setPlate(plate, o.by!, systemClock().now());
        printLine(`planogram version ${v.version}: ${device} channel ${channel} = ${plate.sku}`);
      });
    });

  withYes(
    planogram
      .command('remove-plate')
      .description('remove one plate (asks first)')
      .argument('<device>')
      .argument('<channel>')
      .option('--by <who>', 'recorded with the change', defaultUser()),
  ).action(async (device: string, channel: string, o: { by: string; yes?: boolean }, cmd: Command) => {
    const config = loadCliConfig(cmd);
    const ch = num(channel, 'channel');
    const plate = withStore(config, (store) =>
      (store.current()?.plates ?? []).find((p) => p.device === device && p.channel === ch),
    );
    if (!plate)
      throw new StoregateError('SG_BAD_ARGUMENT', `no plate ${device} channel ${channel} in the planogram`);
    await confirm(`remove ${device} channel ${channel} (${plate.sku}) from the planogram`, o.yes);
    withStore(config, (store) => {
      const v = store.removePlate(device, ch, o.by, systemClock().now());
      printLine(`planogram version ${v.version}: removed ${device} channel ${channel}`);
    });
  });

  planogram
    .command('import')
    .description(
      'validate a planogram JSON file and make it the current version (a bad file changes nothing)',
    )
    .argument(
      '<file>',
      '{"plates": [{"device", "channel", "sku", "unit_grams", "tolerance_grams"?, "capacity"}]}',
    )
    .option('--by <who>', 'recorded with the change', defaultUser())
    .action((file: string, o: { by: string }, cmd: Command) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          `cannot read planogram ${file}: ${(err as Error).message}`,
        );
      }
      withStore(loadCliConfig(cmd), (store) => {
        const v = store.replace(raw, o.by, `imported ${file}`, systemClock().now());
        printLine(`planogram version ${v.version}: ${v.plates.length} plate(s) from ${file}`);
      });
    });
}
