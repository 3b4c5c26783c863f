import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { StoregateError } from '../core/errors.js';

/** Adds `-y, --yes` to a destructive command. */
export function withYes(command: Command): Command {
  return command.option('-y, --yes', 'do it without asking (required when stdin is not a terminal)');
}

export interface ConfirmIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Ask before a destructive change. `--yes` skips the question; without a terminal to ask on (a script, a pipe)
 * the command refuses instead of guessing, so a forgotten `--yes` never deletes anything by itself.
 */
export async function confirm(
  what: string,
  yes: boolean | undefined,
  io: ConfirmIo = { input: process.stdin, output: process.stderr },
): Promise<void> {
  if (yes) return;
  if (!io.input.isTTY) {
    throw new StoregateError('SG_BAD_ARGUMENT', `${what}: not confirmed (stdin is not a terminal)`, {
      hint: 'add --yes to confirm',
    });
  }
  const rl = createInterface({ input: io.input, output: io.output });
  try {
    const answer = (await rl.question(`${what}? [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      throw new StoregateError('SG_CONFLICT', 'not confirmed; nothing changed', {
        hint: 'answer y to confirm, or pass --yes',
      });
    }
  } finally {
    rl.close();
  }
}
