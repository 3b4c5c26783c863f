import type { Clock } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Notifier } from './sd-notify.js';

/**
 * Test hook, off unless `SG_TEST_BLOCK_LOOP_MS` is set: SIGUSR2 then blocks the event loop that long (a busy
 * wait, as a runaway synchronous loop would), after announcing it on the notify socket. The watchdog test
 * uses it to see that a blocked loop sends no pings (test/lifecycle/systemd-notify.e2e.test.ts).
 */
export function installLoopBlockHook(
  env: NodeJS.ProcessEnv,
  deps: { notifier: Notifier; logger: Logger; clock: Clock },
): void {
  const { notifier, logger, clock } = deps;
  const ms = Number(env.SG_TEST_BLOCK_LOOP_MS);
  if (!Number.isFinite(ms) || ms <= 0) return;
  logger.warn({ ms }, 'test hook: SIGUSR2 blocks the event loop');
  process.on('SIGUSR2', () => {
    notifier.send({ STATUS: `test: blocking the event loop for ${ms} ms` });
    const until = clock.monotonic() + ms;
    while (clock.monotonic() < until) {
      // busy: no timer, no I/O, no watchdog ping
    }
    notifier.send({ STATUS: 'test: event loop unblocked' });
  });
}
