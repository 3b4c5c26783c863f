import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { configPathOf } from '../cli-config.js';
import { printJson, printLine } from '../output.js';
import {
  type CheckResult,
  checkClock,
  checkDataDir,
  checkPeers,
  checkPorts,
  checkRegistry,
} from './doctor-checks.js';
import { checkOutbox } from './doctor-outbox.js';
import { checkPaths } from './doctor-paths.js';

function checkConfig(path: string | undefined): { result: CheckResult; config?: LoadedConfig } {
  try {
    const config = loadConfig(path);
    const source = config.configFile ?? 'no config file: built-in defaults';
    return { config, result: { name: 'config', status: 'PASS', message: `valid (${source})` } };
  } catch (err) {
    if (!(err instanceof StoregateError)) throw err;
    const [first, ...rest] = err.message.split('\n');
    return {
      result: {
        name: 'config',
        status: 'FAIL',
        message: first ?? err.message,
        details: rest.map((line) => line.trim()).filter(Boolean),
      },
    };
  }
}

/** Everything `doctor` checks, in order; checks that need a valid config are skipped without one. */
export async function runDoctor(configPath: string | undefined): Promise<CheckResult[]> {
  const { result, config } = checkConfig(configPath);
  const results = [result];
  if (config) {
    results.push(...(await checkPorts(config)));
    results.push(...checkDataDir(config));
    results.push(...checkPaths(config));
    results.push(checkRegistry(config));
    results.push(checkOutbox(config));
  }
  results.push(checkClock());
  if (config) results.push(...(await checkPeers(config)));
  return results;
}

export function registerDoctorCommand(program: Command): void {
  const doctor = program
    .command('doctor')
    .description(
      'check config, ports, data_dir and disk space, paths (planogram, serial, GPIO), registry, outbox state, clock and peers; exit 1 if anything FAILs',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const results = await runDoctor(configPathOf(doctor));
      const failed = results.filter((r) => r.status === 'FAIL').length;
      const warned = results.filter((r) => r.status === 'WARN').length;
      if (opts.json) {
        printJson({ ok: failed === 0, checks: results });
      } else {
        const width = Math.max(...results.map((r) => r.name.length));
        for (const r of results) {
          printLine(`${r.status}  ${r.name.padEnd(width)}  ${r.message}`);
          for (const d of r.details ?? []) printLine(`      ${' '.repeat(width)}  ${d}`);
        }
        printLine();
        printLine(`${results.length} checks: ${failed} failed, ${warned} warning(s)`);
      }
      if (failed > 0) process.exitCode = 1;
    });
}
