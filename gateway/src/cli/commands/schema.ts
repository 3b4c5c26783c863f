import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { configReferenceMarkdown } from '../../config/config-docs.js';
import { exportedSchemas } from '../../config/schemas.js';

export function registerSchemaCommand(program: Command): void {
  const schema = program.command('schema').description('JSON Schemas of the config and the device contract');
  schema
    .command('export')
    .description('write every JSON Schema into a directory')
    .argument('<dir>', 'output directory')
    .option('--config-doc <file>', 'also write the Markdown configuration reference')
    .action((dir: string, opts: { configDoc?: string }) => {
      mkdirSync(dir, { recursive: true });
      for (const [name, body] of Object.entries(exportedSchemas())) {
        writeFileSync(join(dir, name), `${JSON.stringify(body, null, 2)}\n`);
        process.stdout.write(`${join(dir, name)}\n`);
      }
      if (opts.configDoc) {
        writeFileSync(opts.configDoc, configReferenceMarkdown());
        process.stdout.write(`${opts.configDoc}\n`);
      }
    });
}
