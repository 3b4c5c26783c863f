import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * How `storegate upgrade` and `uninstall` stop and start the gateway. Production: systemd. Tests inject one that
 * spawns the gateway of `current` as a child process, so the upgrade path runs for real without systemd.
 */
export interface ServiceControl {
  /** Start the gateway of the `current` release; resolves once it is launched (not once it is healthy). */
  start(): Promise<void>;
  /** Stop it and wait until it has exited (a stopped service is not an error). */
  stop(): Promise<void>;
  /** True once the started gateway has exited on its own (a release that crashes at start). */
  exited(): Promise<boolean>;
  /** Remove it from boot (uninstall). */
  disable(): Promise<void>;
}

export class SystemdService implements ServiceControl {
  constructor(private readonly unit = 'storegate.service') {}

  async start(): Promise<void> {
    // `systemctl start` of a Type=notify unit waits for READY=1; a failed start is seen by the health gate.
    await run('systemctl', ['start', this.unit]).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await run('systemctl', ['stop', this.unit]);
  }

  async exited(): Promise<boolean> {
    const state = await run('systemctl', ['is-active', this.unit]).then(
      (r) => r.stdout.trim(),
      (err: { stdout?: string }) => String(err.stdout ?? '').trim(),
    );
    return state === 'failed' || state === 'inactive';
  }

  async disable(): Promise<void> {
    await run('systemctl', ['disable', '--now', this.unit]).catch(() => undefined);
  }
}
