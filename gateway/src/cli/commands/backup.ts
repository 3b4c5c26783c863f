import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { StoregateError } from '../../core/errors.js';
import { createBackup } from '../../lifecycle/backup/backup.js';
import { restoreBackup } from '../../lifecycle/backup/restore.js';
import { configPathOf, loadCliConfig } from '../cli-config.js';
import { fields, printJson, printLine } from '../output.js';

interface PassphraseOpts {
  passphraseFile?: string;
  json?: boolean;
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

const size = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'write an encrypted backup (scrypt + AES-256-GCM) of the registry, planogram, calibrations, catalog, learned weights, HACCP record, audit and config; safe while the gateway runs',
    )
    .argument('<file>', 'backup file to write (replaced atomically)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (else SG_BACKUP_PASSPHRASE)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: PassphraseOpts, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const result = await createBackup(
        { dataDir: config.dataDir, configFile: config.configFile, storeId: config.store.id },
        file,
        passphraseOf(opts),
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
    .option('--keep-config', 'leave the config file as it is (restore only data_dir)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: PassphraseOpts & { keepConfig?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const configFile = opts.keepConfig ? null : (config.configFile ?? configPathOf(cmd) ?? null);
      const result = await restoreBackup(file, passphraseOf(opts), { dataDir: config.dataDir, configFile });
      if (opts.json) return printJson(result);
      printLine(`restored ${result.restored.length} files from ${file} (made ${result.manifest.created_at})`);
      for (const f of result.restored) printLine(`  ${f}`);
      if (result.movedAside) printLine(`the files they replaced are in ${result.movedAside}`);
    });
}
