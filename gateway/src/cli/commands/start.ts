import type { Command } from 'commander';
import { startFailure } from '../start-failure.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the gateway (embedded broker, processors, outbox, HTTP API)')
    .action(async () => {
      const { config } = program.opts<{ config: string }>();
      const explicit = program.getOptionValueSource('config') === 'cli' ? config : undefined;
      // Imported lazily so installer commands start fast without loading the whole gateway.
      const { runGateway } = await import('../../main.js');
      try {
        await runGateway(explicit ?? (process.env.STOREGATE_CONFIG || undefined));
      } catch (err) {
        throw startFailure(err);
      }
      // Keep running until a signal arrives; runGateway installed the handlers.
      await new Promise<never>(() => {});
    });
}
