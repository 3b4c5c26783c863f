import { constants, createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { StoregateError } from '../../core/errors.js';
import { replayDomains } from '../../replay/domains.js';
import { runReplay } from '../../replay/replay.js';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'run recorded readings through the live processors on virtual time; derived events as NDJSON',
    )
    .argument('[input]', 'NDJSON file of readings (default: stdin)')
    .option('--planogram <file>', 'planogram JSON for shelf inputs')
    .option('--catalog <file>', 'catalog JSON for checkout-lane inputs')
    .option('--strict', 'exit 1 if any input line was rejected')
    .action(
      async (input: string | undefined, opts: { planogram?: string; catalog?: string; strict?: boolean }) => {
        if (input) {
          try {
            await access(input, constants.R_OK);
          } catch (err) {
            throw new StoregateError('SG_IO', `cannot read ${input}: ${(err as Error).message}`);
          }
        }
        const stream = input ? createReadStream(input) : process.stdin;
        const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
        const result = await runReplay(
          lines,
          replayDomains(),
          {
            ...(opts.planogram ? { planogram: opts.planogram } : {}),
            ...(opts.catalog ? { catalog: opts.catalog } : {}),
          },
          {
            event: (e) => process.stdout.write(`${JSON.stringify({ type: e.type, t: e.t, ...e.data })}\n`),
            reject: (line, reason) => process.stderr.write(`line ${line}: rejected: ${reason}\n`),
          },
        );
        process.stderr.write(
          `replay: ${result.lines} lines, ${result.readings} readings, ${result.events} events, ${result.rejected} rejected\n`,
        );
        if (opts.strict && result.rejected > 0) process.exitCode = 1;
      },
    );
}
