import type { Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandModule {
  /** The top-level commands the module registers. */
  readonly names: readonly string[];
  readonly load: () => Promise<Register>;
}

/**
 * Every top-level command with the module that registers it, in `--help` order. A run loads only the module
 * of the command it names: importing all of them (registry, replay, upgrade, HACCP…) cost an installer about
 * a second of CPU per invocation, several seconds on a busy gateway.
 */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['start'], load: async () => (await import('./commands/start.js')).registerStartCommand },
  { names: ['device'], load: async () => (await import('./commands/device.js')).registerDeviceCommand },
  { names: ['doctor'], load: async () => (await import('./commands/doctor.js')).registerDoctorCommand },
  { names: ['replay'], load: async () => (await import('./commands/replay.js')).registerReplayCommand },
  { names: ['record'], load: async () => (await import('./commands/record.js')).registerRecordCommand },
  { names: ['catalog'], load: async () => (await import('./commands/catalog.js')).registerCatalogCommand },
  { names: ['lane'], load: async () => (await import('./commands/lane.js')).registerLaneCommand },
  { names: ['outbox'], load: async () => (await import('./commands/outbox.js')).registerOutboxCommand },
  { names: ['schema'], load: async () => (await import('./commands/schema.js')).registerSchemaCommand },
  {
    names: ['planogram'],
    load: async () => (await import('./commands/planogram.js')).registerPlanogramCommand,
  },
  {
    names: ['calibrate'],
    load: async () => (await import('./commands/calibrate.js')).registerCalibrateCommand,
  },
  { names: ['firmware'], load: async () => (await import('./commands/firmware.js')).registerFirmwareCommand },
  {
    names: ['user', 'token', 'audit'],
    load: async () => (await import('./commands/access.js')).registerAccessCommands,
  },
  { names: ['haccp'], load: async () => (await import('./commands/haccp.js')).registerHaccpCommand },
  {
    names: ['upgrade', 'uninstall'],
    load: async () => (await import('./commands/upgrade.js')).registerUpgradeCommands,
  },
  { names: ['release'], load: async () => (await import('./commands/release.js')).registerReleaseCommands },
  {
    names: ['backup', 'restore'],
    load: async () => (await import('./commands/backup.js')).registerBackupCommands,
  },
  { names: ['config'], load: async () => (await import('./commands/config-check.js')).registerConfigCommand },
];

/** Global options of the program that take a value (see buildProgram). */
const VALUED_OPTIONS = new Set(['-c', '--config']);

/** The command `args` (without node and script) names: the first operand after the global options. */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (VALUED_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * The modules a run of `args` needs: the one registering its command, or all of them when it names none or
 * an unknown one (help, --version, a typo that commander answers with "did you mean").
 */
export function modulesFor(args: readonly string[]): readonly CommandModule[] {
  const name = commandName(args);
  const own = name === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(name));
  return own ? [own] : COMMAND_MODULES;
}
