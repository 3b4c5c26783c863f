import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { exitCodeFor, formatError, StoregateError } from '../core/errors.js';
import { modulesFor } from './command-modules.js';

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
 * SG_REGISTRY_CORRUPT exits 65, see shared/src/errors.ts). Only the commands `argv` may run are registered.
 */
export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('storegate')
    .description('Storegate: edge gateway for sensor-equipped stores')
    .version(storegateVersion(), '-V, --version', 'print the storegate version')
    .option('-c, --config <path>', 'config file', 'storegate.yaml')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', async (_program, action) =>
      (await import('./config-warnings.js')).warnAboutConfig(action),
    );
  for (const register of await Promise.all(modulesFor(argv.slice(2)).map((m) => m.load()))) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
