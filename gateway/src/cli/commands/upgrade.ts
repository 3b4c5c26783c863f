import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import { DEFAULT_CONFIG_FILE, type LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { loopbackProbe } from '../../deploy/gateway-probe.js';
import { boundedForRoot, loadConfigAsOwner } from '../../deploy/helper-config.js';
import { InstallLayout } from '../../deploy/layout.js';
import { loadReleaseKeys, releaseKeysPath } from '../../deploy/release-keys.js';
import { SystemdService } from '../../deploy/service-control.js';
import { uninstall } from '../../deploy/uninstall.js';
import { upgrade } from '../../deploy/upgrade.js';
import { upgradeFromRequest } from '../../deploy/upgrade-from-request.js';
import { INCOMING_DIR } from '../../deploy/upgrade-request.js';
import { configPathOf, loadCliConfig } from '../cli-config.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The Clock's timers are unref'd: while upgrade waits between polls with no socket open (systemd does the
 * starting), nothing else holds the event loop. A listening MessagePort does, until the work settles.
 */
async function keptAlive<T>(work: Promise<T>): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', () => {});
  try {
    return await work;
  } finally {
    port1.close();
    port2.close();
  }
}

interface UpgradeCliOptions {
  force?: boolean;
  root: string;
  requestId?: string;
  allowUnsigned?: boolean;
  releaseKeys?: string;
  fromRequest?: string;
  artifactDir?: string;
  allowDowngrade?: boolean;
}

export function registerUpgradeCommands(program: Command): void {
  program
    .command('upgrade')
    .description(
      'install a release tarball beside the current one and switch to it, rolling back if it is not healthy',
    )
    .argument('[artifact]', 'storegate-<version>-linux-<arch>.tar.gz from `npm run release`')
    .option('--force', 'do not wait for upgrade.quiet_window (open lane sessions are still waited for)')
    .option('--root <dir>', 'installation root', '/')
    .option(
      '--request-id <id>',
      'the cloud release.upgrade request this runs for (kept in the upgrade record)',
    )
    .option(
      '--release-keys <file>',
      'trusted release public keys (root-owned; default <root>/etc/storegate-release-keys.pem)',
    )
    .option(
      '--allow-unsigned',
      'install an artifact without a valid <artifact>.sig (an installer at the console)',
    )
    .option(
      '--from-request <file>',
      "the root upgrade helper (storegate-upgrade.service): take the gateway's request file instead of ARTIFACT and check everything it names",
    )
    .option(
      '--artifact-dir <dir>',
      'with --from-request: accept artifacts only from here (default <request dir>/incoming)',
    )
    .option('--allow-downgrade', "with --from-request: honour a request's downgrade: true")
    .action(async (artifact: string | undefined, opts: UpgradeCliOptions, command: Command) => {
      const root = resolve(opts.root);
      const depsOf = (config: LoadedConfig = loadCliConfig(command)) => {
        return {
          layout: new InstallLayout(root),
          releaseKeys: loadReleaseKeys(opts.releaseKeys ?? releaseKeysPath(root), root),
          config,
          service: new SystemdService(),
          probe: loopbackProbe(config),
          clock: systemClock(),
          log,
        };
      };
      if (opts.fromRequest) {
        const requestFile = resolve(opts.fromRequest);
        // Root: the config is the service user's, read as data_dir's owner and bounded (helper-config.ts).
        const helperDeps = () => {
          const file = configPathOf(command) ?? DEFAULT_CONFIG_FILE;
          const config = boundedForRoot(loadConfigAsOwner(file, dirname(requestFile)));
          return { ...depsOf(config), probe: loopbackProbe(config) };
        };
        const result = await keptAlive(
          upgradeFromRequest(
            helperDeps,
            {
              requestFile,
              artifactDir: resolve(opts.artifactDir ?? join(dirname(requestFile), INCOMING_DIR)),
              allowDowngrade: opts.allowDowngrade ?? false,
            },
            systemClock(),
          ),
        );
        log(`backup of the databases before the upgrade: ${result.backup}`);
        return;
      }
      if (!artifact) {
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          'upgrade: name the release tarball (or --from-request FILE)',
        );
      }
      const result = await keptAlive(
        upgrade(depsOf(), {
          artifact: resolve(artifact),
          force: opts.force ?? false,
          allowUnsigned: opts.allowUnsigned ?? false,
          ...(opts.requestId ? { requestId: opts.requestId } : {}),
        }),
      );
      log(`backup of the databases before the upgrade: ${result.backup}`);
    });

  program
    .command('uninstall')
    .description(
      'stop and remove Storegate (releases, unit, CLI); --purge also removes config, data and the user',
    )
    .option(
      '--purge',
      'also remove /etc/storegate, data_dir (device credentials, unsent events) and the user',
    )
    .option('--force', 'even while a lane session or calibration is open')
    .option('--root <dir>', 'installation root', '/')
    .action(async (opts: { purge?: boolean; force?: boolean; root: string }, command: Command) => {
      const config = loadCliConfig(command);
      await keptAlive(
        uninstall(
          {
            layout: new InstallLayout(resolve(opts.root)),
            config,
            service: new SystemdService(),
            now: systemClock().now(),
            log,
          },
          { purge: opts.purge ?? false, force: opts.force ?? false },
        ),
      );
    });
}
