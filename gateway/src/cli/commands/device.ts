import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import type { DeviceKind } from '../../../../shared/src/device-contract.js';
import { StoregateError } from '../../core/errors.js';
import type { DeviceLocation } from '../../ports/device-registry.js';
import { isOnline, kindExpectations, offlineAfterMs } from '../../processors/health/expectations.js';
import { LOCATION_KEYS } from '../../registry/db-device-rows.js';
import { loadCliConfig, withRegistry } from '../cli-config.js';
import { confirm, withYes } from '../confirm.js';
import {
  fields,
  formatLabels,
  formatLocation,
  printJson,
  printLine,
  relativeTime,
  table,
} from '../output.js';
import { deviceJson, printCredentials } from './device-credentials-output.js';
import { registerDeviceImportCommand } from './device-import.js';

interface AddOptions extends DeviceLocation {
  kind: string;
  label: string[];
  json?: boolean;
  brokerUrl?: string;
}

function collectLabel(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new StoregateError('SG_BAD_ARGUMENT', `label ${JSON.stringify(pair)} is not key=value`, {
        hint: 'for example --label vendor=acme --label model=hx711',
      });
    }
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

/**
 * The gateway writes last-seen to the database in batches (every health.check_interval_ms, then within 1 s),
 * so the CLI allows that much extra before it calls a device offline.
 */
function onlineFromDatabase(
  kind: DeviceKind,
  lastSeenAt: number | null,
  checkIntervalMs: number,
  missed: number,
) {
  return isOnline(kind, lastSeenAt, systemClock().now(), missed, checkIntervalMs + 1_000);
}

export function registerDeviceCommand(program: Command): void {
  const device = program
    .command('device')
    .description('register and manage in-store devices and their credentials');

  const add = device
    .command('add')
    .description('register a device and print its secret (once) with the MQTT settings and a QR code')
    .argument('<id>', 'device id: 1-64 letters, digits and _ . : -')
    .requiredOption('--kind <kind>', `device kind: ${Object.keys(kindExpectations).join(', ')}`);
  for (const key of LOCATION_KEYS) add.option(`--${key} <${key}>`, `location: ${key}`);
  add
    .option('--label <key=value>', 'free-form label (repeatable)', collectLabel, [])
    .option('--broker-url <url>', 'broker URL devices should dial (default: from config and this host)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  storegate device add shelf-a3 --kind shelf --zone produce --aisle 3 --label vendor=acme\n',
    )
    .action(async (id: string, opts: AddOptions) => {
      const config = loadCliConfig(add);
      const location: DeviceLocation = {};
      for (const key of LOCATION_KEYS) if (opts[key] !== undefined) location[key] = opts[key];
      const labels = parseLabels(opts.label);
      const { device: record, secret } = await withRegistry(config, (r) =>
        r.add({ id, kind: opts.kind as DeviceKind, location, labels }),
      );
      await printCredentials(config, record, secret, {
        action: 'added',
        ...(opts.json ? { json: true } : {}),
        ...(opts.brokerUrl ? { brokerUrl: opts.brokerUrl } : {}),
      });
    });

  const list = device
    .command('list')
    .description('all devices with kind, location, online/offline, last seen and firmware')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const config = loadCliConfig(list);
      const { check_interval_ms: interval, offline_after_missed: missed } = config.health;
      const devices = await withRegistry(config, (r) => r.list());
      const withState = devices.map((d) => ({
        d,
        online: onlineFromDatabase(d.kind, d.lastSeenAt, interval, missed),
      }));
      if (opts.json) {
        printJson(withState.map(({ d, online }) => ({ ...deviceJson(d), online })));
        return;
      }
      if (devices.length === 0) {
        printLine('No devices yet. Add one with: storegate device add <id> --kind <kind>');
        return;
      }
      const now = systemClock().now();
      const rows = withState.map(({ d, online }) => [
        d.id,
        d.kind,
        formatLocation(d.location),
        online ? 'online' : 'offline',
        relativeTime(d.lastSeenAt, now),
        d.firmware ?? '-',
        formatLabels(d.labels),
      ]);
      printLine(table(['ID', 'KIND', 'LOCATION', 'STATUS', 'LAST SEEN', 'FIRMWARE', 'LABELS'], rows));
      const up = withState.filter((x) => x.online).length;
      printLine(`${devices.length} device(s): ${up} online, ${devices.length - up} offline`);
    });

  const show = device
    .command('show')
    .description('one device in detail')
    .argument('<id>', 'device id')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const config = loadCliConfig(show);
      const { check_interval_ms: interval, offline_after_missed: missed } = config.health;
      const d = await withRegistry(config, (r) => r.get(id));
      if (!d) throw unknownDevice(id);
      const online = onlineFromDatabase(d.kind, d.lastSeenAt, interval, missed);
      if (opts.json) {
        printJson({ ...deviceJson(d), online, offline_after_ms: offlineAfterMs(d.kind, missed) });
        return;
      }
      const now = systemClock().now();
      printLine(
        fields(
          [
            ['id', d.id],
            ['kind', d.kind],
            ['location', formatLocation(d.location)],
            ['labels', formatLabels(d.labels)],
            ['status', online ? 'online' : 'offline'],
            [
              'last seen',
              d.lastSeenAt === null
                ? 'never'
                : `${relativeTime(d.lastSeenAt, now)} (${new Date(d.lastSeenAt).toISOString()})`,
            ],
            ['firmware', d.firmware ?? '-'],
            ['created', new Date(d.createdAt).toISOString()],
            [
              'offline after',
              `${offlineAfterMs(d.kind, missed) / 1000} s of silence (${kindExpectations[d.kind].note})`,
            ],
          ],
          0,
        ),
      );
    });

  const remove = withYes(
    device
      .command('remove')
      .description('delete a device and its credentials; it can no longer connect (asks first)')
      .argument('<id>', 'device id'),
  ).action(async (id: string, opts: { yes?: boolean }) => {
    const config = loadCliConfig(remove);
    if (!(await withRegistry(config, (r) => r.get(id)))) throw unknownDevice(id);
    await confirm(`remove ${id} and its credentials (it can no longer connect)`, opts.yes);
    const removed = await withRegistry(config, (r) => r.remove(id));
    if (!removed) throw unknownDevice(id);
    printLine(`Device ${id} removed; connections with its credentials are refused from now on.`);
  });

  const rotate = withYes(
    device
      .command('rotate-secret')
      .description(
        'generate a new secret (printed once); connections with the old one are refused from now on (asks first)',
      )
      .argument('<id>', 'device id')
      .option('--broker-url <url>', 'broker URL devices should dial (default: from config and this host)')
      .option('--json', 'machine-readable output'),
  ).action(async (id: string, opts: { json?: boolean; brokerUrl?: string; yes?: boolean }) => {
    const config = loadCliConfig(rotate);
    if (!(await withRegistry(config, (r) => r.get(id)))) throw unknownDevice(id);
    await confirm(`replace the secret of ${id} (the device is refused until it gets the new one)`, opts.yes);
    const { record, secret } = await withRegistry(config, (r) => {
      const secret = r.rotateSecret(id);
      return { record: r.get(id)!, secret };
    });
    await printCredentials(config, record, secret, {
      action: 'rotated',
      ...(opts.json ? { json: true } : {}),
      ...(opts.brokerUrl ? { brokerUrl: opts.brokerUrl } : {}),
    });
  });

  registerDeviceImportCommand(device);
}

function unknownDevice(id: string): StoregateError {
  return new StoregateError('SG_DEVICE_UNKNOWN', `no device ${id}`, {
    hint: 'list devices with `storegate device list`',
  });
}
