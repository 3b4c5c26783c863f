import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { configReferenceMarkdown } from '../../config/config-docs.js';
import { deviceDocBlocks, withGeneratedBlocks } from '../../config/device-docs.js';
import { errorsReferenceMarkdown } from '../../config/error-docs.js';
import { eventsReferenceMarkdown } from '../../config/event-docs.js';
import { exportedSchemas } from '../../config/schemas.js';

export function registerSchemaCommand(program: Command): void {
  const schema = program.command('schema').description('JSON Schemas of the config and the device contract');
  schema
    .command('export')
    .description('write every JSON Schema into a directory')
    .argument('<dir>', 'output directory')
    .option('--config-doc <file>', 'also write the Markdown configuration reference')
    .option('--events-doc <file>', 'also write the Markdown reference of outbound events')
    .option('--errors-doc <file>', 'also write the Markdown reference of error codes')
    .option(
      '--device-docs <dir>',
      'also regenerate the device kind tables in DIR/device-protocol.md, devices.md',
    )
    .action(
      (
        dir: string,
        opts: { configDoc?: string; eventsDoc?: string; errorsDoc?: string; deviceDocs?: string },
      ) => {
        mkdirSync(dir, { recursive: true });
        for (const [name, body] of Object.entries(exportedSchemas())) {
          writeFileSync(join(dir, name), `${JSON.stringify(body, null, 2)}\n`);
          process.stdout.write(`${join(dir, name)}\n`);
        }
        if (opts.configDoc) {
          writeFileSync(opts.configDoc, configReferenceMarkdown());
          process.stdout.write(`${opts.configDoc}\n`);
        }
        if (opts.eventsDoc) {
          writeFileSync(opts.eventsDoc, eventsReferenceMarkdown());
          process.stdout.write(`${opts.eventsDoc}\n`);
        }
        if (opts.errorsDoc) {
          writeFileSync(opts.errorsDoc, errorsReferenceMarkdown());
          process.stdout.write(`${opts.errorsDoc}\n`);
        }
        if (opts.deviceDocs) {
          for (const [name, blocks] of Object.entries(deviceDocBlocks())) {
            const file = join(opts.deviceDocs, name);
            writeFileSync(file, withGeneratedBlocks(file, readFileSync(file, 'utf8'), blocks));
            process.stdout.write(`${file}\n`);
          }
        }
      },
    );
}
