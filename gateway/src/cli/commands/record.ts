import { resolve } from 'node:path';
import type { Command } from 'commander';
import { recordSection } from '../../config/sections/record.js';
import { StoregateError } from '../../core/errors.js';
import { loadCliConfig } from '../cli-config.js';

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new StoregateError('SG_BAD_ARGUMENT', `${name} must be a positive number, got "${value}"`);
  return n;
}

export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('run the gateway and record every device input in the replay format (docs/replay.md)')
    .argument(
      '<file>',
      'recording file (NDJSON); older parts rotate to FILE.1, FILE.2, ... before the extension',
    )
    .option('--max-mb <n>', 'disk the recording may use in total (MiB)', '100')
    .option('--files <n>', 'parts kept, the current one included', '4')
    .action(async (file: string, opts: { maxMb: string; files: string }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const parsed = recordSection.safeParse({
        path: resolve(file),
        max_mb: positive(opts.maxMb, '--max-mb'),
        files: Math.round(positive(opts.files, '--files')),
        ...(config.record ? { flush_ms: config.record.flush_ms } : {}),
      });
      if (!parsed.success)
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      // Imported lazily so installer commands start fast without loading the whole gateway.
      const { runGateway } = await import('../../main.js');
      await runGateway(undefined, Object.freeze({ ...config, record: parsed.data }));
      process.stderr.write(`recording device inputs to ${parsed.data.path} (Ctrl-C stops)\n`);
      await new Promise<never>(() => {});
    });
}
