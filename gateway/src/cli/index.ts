import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { exitCodeFor, formatError, StoregateError } from '../core/errors.js';
import { registerAccessCommands } from './commands/access.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerCalibrateCommand } from './commands/calibrate.js';
import { registerCatalogCommand } from './commands/catalog.js';
import { registerConfigCommand } from './commands/config-check.js';
import { registerDeviceCommand } from './commands/device.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerFirmwareCommand } from './commands/firmware.js';
import { registerHaccpCommand } from './commands/haccp.js';
import { registerLaneCommand } from './commands/lane.js';
import { registerOutboxCommand } from './commands/outbox.js';
import { registerPlanogramCommand } from './commands/planogram.js';
import { registerRecordCommand } from './commands/record.js';
import { registerReleaseCommands } from './commands/release.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerStartCommand } from './commands/start.js';
import { registerUpgradeCommands } from './commands/upgrade.js';
import { warnAboutConfig } from './config-warnings.js';

/** The package's version: package.json above this file (the source tree and dist/ sit at different depths). */
export function storegateVersion(): string {
  for (let dir = import.meta.dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'storegate' && pkg.version) return pkg.version;
    } catch {
      // not here; one level up
    }
  }
  return 'unknown';
}

/**
 * The `storegate` command. Each subcommand lives in ./commands/<name>.ts and exports a register function;
 * errors with a stable code print as `error [CODE] message — hint` (shared/src/errors.ts), and exit 1 (usage errors exit 2;
 * SG_REGISTRY_CORRUPT exits 65, see shared/src/errors.ts).
 */
export function buildProgram(): Command {
  const program = new Command('storegate')
    .description('Storegate: edge gateway for sensor-equipped stores')
    .version(storegateVersion(), '-V, --version', 'print the storegate version')
    .option('-c, --config <path>', 'config file', 'storegate.yaml')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', (_program, action) => warnAboutConfig(action));
  registerStartCommand(program);
  registerDeviceCommand(program);
  registerDoctorCommand(program);
  registerReplayCommand(program);
  registerRecordCommand(program);
  registerCatalogCommand(program);
  registerLaneCommand(program);
  registerOutboxCommand(program);
  registerSchemaCommand(program);
  registerPlanogramCommand(program);
  registerCalibrateCommand(program);
  registerFirmwareCommand(program);
  registerAccessCommands(program);
  registerHaccpCommand(program);
  registerUpgradeCommands(program);
  registerReleaseCommands(program);
  registerBackupCommands(program);
  registerConfigCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof StoregateError) {
      process.stderr.write(`${formatError(err)}\n`);
      return exitCodeFor(err.code);
    }
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
