import { constants, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { StoregateError } from '../../core/errors.js';
import { replayDomains } from '../../replay/domains.js';
import { type InputFile, mergeInputs } from '../../replay/merge.js';
import { runReplay } from '../../replay/replay.js';
import { configPathOf, loadCliConfig } from '../cli-config.js';

interface ReplayFlags {
  planogram?: string;
  catalog?: string;
  strict?: boolean;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'run recorded inputs through the live processors on virtual time; derived events as NDJSON on stdout',
    )
    .argument('[inputs...]', 'NDJSON input files, merged by time (default: stdin); see docs/replay.md')
    .option(
      '--planogram <file>',
      'planogram JSON for shelf inputs (default with --config: the configured one)',
    )
    .option('--catalog <file>', 'catalog JSON for checkout-lane inputs (default with --config: data_dir)')
    .option('--strict', 'exit 1 if any input line was rejected')
    .addHelpText(
      'after',
      '\nWith --config (global option) replay uses that storegate.yaml: the same tuning as the live gateway,\n' +
        'its planogram, calibrations and catalog. Without it, every section runs its defaults.',
    )
    .action(async (inputs: string[], opts: ReplayFlags, cmd: Command) => {
      for (const input of inputs) {
        try {
          await access(input, constants.R_OK);
        } catch (err) {
          throw new StoregateError('SG_IO', `cannot read ${input}: ${(err as Error).message}`);
        }
      }
      const config = configPathOf(cmd) ? loadCliConfig(cmd) : undefined;
      let spool: string | null = null;
      try {
        let files: InputFile[] = inputs.map((path) => ({ path, label: path }));
        if (files.length === 0) {
          // Merging needs two passes over the input: stdin is spooled to a private temp file first.
          spool = mkdtempSync(join(tmpdir(), 'storegate-replay-'));
          const path = join(spool, 'stdin.ndjson');
          await pipeline(process.stdin, createWriteStream(path));
          files = [{ path, label: null }];
        }
        const result = await runReplay(
          mergeInputs(files),
          replayDomains(),
          {
            ...(config ? { config } : {}),
            ...(opts.planogram ? { planogram: opts.planogram } : {}),
            ...(opts.catalog ? { catalog: opts.catalog } : {}),
          },
          {
            event: (e) => process.stdout.write(`${JSON.stringify({ type: e.type, t: e.t, ...e.data })}\n`),
            reject: (at, reason) => process.stderr.write(`${at}: rejected: ${reason}\n`),
          },
        );
        process.stderr.write(
          `replay: ${result.lines} lines, ${result.readings} readings, ${result.events} events, ${result.rejected} rejected\n`,
        );
        if (opts.strict && result.rejected > 0) process.exitCode = 1;
      } finally {
        if (spool) rmSync(spool, { recursive: true, force: true });
      }
    });
}
