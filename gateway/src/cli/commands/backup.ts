import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import { StoregateError } from '../../core/errors.js';
import {
  type KeyOpener,
  type KeySource,
  newIdentity,
  readIdentities,
  readRecipients,
} from '../../lifecycle/backup/archive-keys.js';
import { createBackup } from '../../lifecycle/backup/backup.js';
import { restoreBackup } from '../../lifecycle/backup/restore.js';
import { configPathOf, loadCliConfig } from '../cli-config.js';
import { fields, printJson, printLine } from '../output.js';

interface PassphraseOpts {
  passphraseFile?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --recipient keys (no passphrase needed on the gateway), else the passphrase. */
async function keySourceOf(opts: PassphraseOpts & { recipient?: string[] }): Promise<KeySource> {
  if (opts.recipient?.length) return { recipients: await readRecipients(opts.recipient) };
  return { passphrase: passphraseOf(opts) };
}

function keyOpenerOf(opts: PassphraseOpts & { identity?: string[] }): KeyOpener {
  if (opts.identity?.length) return { identities: readIdentities(opts.identity) };
  return { passphrase: () => passphraseOf(opts) };
}

/** From --passphrase-file (first line), else SG_BACKUP_PASSPHRASE; never from the command line. */
function passphraseOf(opts: PassphraseOpts): string {
  if (opts.passphraseFile) {
    try {
      return readFileSync(opts.passphraseFile, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new StoregateError('SG_IO', `cannot read ${opts.passphraseFile}: ${(err as Error).message}`);
    }
  }
  const env = process.env.SG_BACKUP_PASSPHRASE;
  if (env) return env;
  throw new StoregateError('SG_BAD_ARGUMENT', 'no backup passphrase given', {
    hint: '--passphrase-file FILE (its first line) or SG_BACKUP_PASSPHRASE',
  });
}

interface RestoreOpts extends PassphraseOpts {
  identity?: string[];
  keepConfig?: boolean;
}

const size = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function registerBackupCommands(program: Command): void {
  const backup = program
    .command('backup')
    .description(
      'write an encrypted backup (AES-256-GCM under a passphrase via scrypt, or to age recipient keys) of the registry, planogram, calibrations, catalog, learned weights, HACCP record, audit and config; safe while the gateway runs',
    )
    .argument('<file>', 'backup file to write (replaced atomically)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (else SG_BACKUP_PASSPHRASE)')
    .option(
      '--recipient <key-or-file>',
      'encrypt to this age public key (age1…) or the keys in this file instead of a passphrase; repeatable',
      collect,
    )
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: PassphraseOpts & { recipient?: string[] }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const result = await createBackup(
        { dataDir: config.dataDir, configFile: config.configFile, storeId: config.store.id },
        file,
        await keySourceOf(opts),
      );
      if (opts.json) return printJson(result);
      printLine(`backup written: ${result.file} (${size(result.bytes)})`);
      printLine(
        fields(
          result.manifest.files.map((f) => [f.name, `${size(f.size)}  sha256 ${f.sha256.slice(0, 16)}…`]),
        ),
      );
    });

  program
    .command('restore')
    .description(
      'restore a backup into data_dir (and the config file) after checking its tag, every sha256 and integrity_check; refuses while a gateway runs; replaced files are moved to data_dir/pre-restore-<time>/',
    )
    .argument('<file>', 'backup file written by `storegate backup`')
    .option('--passphrase-file <file>', 'read the passphrase from this file (else SG_BACKUP_PASSPHRASE)')
    .option(
      '--identity <file>',
      'an age identity file (AGE-SECRET-KEY-1…, from `storegate backup keygen`) for a recipient-key backup; repeatable',
      collect,
    )
    .option('--keep-config', 'leave the config file as it is (restore only data_dir)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: RestoreOpts, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const configFile = opts.keepConfig ? null : (config.configFile ?? configPathOf(cmd) ?? null);
      const result = await restoreBackup(file, keyOpenerOf(opts), { dataDir: config.dataDir, configFile });
      if (opts.json) return printJson(result);
      printLine(`restored ${result.restored.length} files from ${file} (made ${result.manifest.created_at})`);
      for (const f of result.restored) printLine(`  ${f}`);
      if (result.movedAside) printLine(`the files they replaced are in ${result.movedAside}`);
    });

  backup
    .command('keygen')
    .description(
      'make an age key pair for recipient-key backups: the identity file (secret; keep it off the gateway) and the public key to pass to --recipient',
    )
    .requiredOption('--out <file>', 'identity file to write (0600; refused if it exists)')
    .action(async (opts: { out: string }) => {
      if (existsSync(opts.out)) {
        throw new StoregateError('SG_CONFLICT', `${opts.out} exists; not overwriting a key`);
      }
      const { text, recipient } = await newIdentity(new Date(systemClock().now()));
      writeFileSync(opts.out, text, { mode: 0o600, flag: 'wx' });
      printLine(
        `identity written: ${opts.out} (secret: keep it where restores are done, not on the gateway)`,
      );
      printLine(`public key (for --recipient): ${recipient}`);
    });
}
