import { spawn } from 'node:child_process';
import type { Clock } from '../../../shared/src/clock.js';
import { StoregateError } from '../core/errors.js';

/** Starts `storegate upgrade` outside the gateway process (it stops this gateway); resolves once launched. */
export type UpgradeRunner = (argv: readonly string[]) => Promise<void>;

export interface UpgradeRequest {
  configFile: string;
  artifact: string;
  requestId: string;
  force: boolean;
}

/**
 * The argv of a remote upgrade: upgrade.remote_runner ({time} → epoch ms, for a unique transient unit name),
 * then the same `storegate upgrade` an operator would type.
 */
export function upgradeArgv(runner: readonly string[], now: number, req: UpgradeRequest): string[] {
  return [
    ...runner.map((a) => a.replaceAll('{time}', String(now))),
    'storegate',
    '--config',
    req.configFile,
    'upgrade',
    req.artifact,
    '--request-id',
    req.requestId,
    ...(req.force ? ['--force'] : []),
  ];
}

/**
 * The upgrade.remote_runner override (hosts without the root helper). `systemd-run` returns as soon as the transient unit started; a runner that keeps running
 * (a plain script) counts as launched when it has not failed within `settleMs`, and is left running detached.
 */
export function processRunner(clock: Clock, settleMs = 3_000): UpgradeRunner {
  return (argv) =>
    new Promise<void>((resolve, reject) => {
      const [cmd, ...args] = argv;
      const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => {
        if (stderr.length < 4_000) stderr += c.toString();
      });
      const failed = (why: string) =>
        reject(
          new StoregateError('SG_UPGRADE_NOT_STARTED', `${cmd} ${why}${stderr ? `: ${stderr.trim()}` : ''}`),
        );
      const timer = clock.setTimeout(() => {
        child.stderr?.destroy();
        child.unref();
        resolve();
      }, settleMs);
      child.once('error', (err) => {
        clock.clearTimeout(timer);
        failed(`could not be started (${err.message})`);
      });
      child.once('exit', (code, signal) => {
        clock.clearTimeout(timer);
        if (code === 0) resolve();
        else failed(`exited with ${code ?? signal}`);
      });
    });
}
