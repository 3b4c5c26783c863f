import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../../shared/src/clock.js';
import { processRunner, upgradeArgv } from './upgrade-runner.js';

describe('the remote upgrade runner', () => {
  it('builds the systemd-run argv with a unique unit name, then the CLI upgrade', () => {
    const runner = ['systemd-run', '--unit', 'storegate-upgrade-{time}', '--collect'];
    const req = { configFile: '/etc/storegate/storegate.yaml', artifact: '/a.tar.gz', requestId: 'r1' };
    expect(upgradeArgv(runner, 1234, { ...req, force: true })).toEqual([
      'systemd-run',
      '--unit',
      'storegate-upgrade-1234',
      '--collect',
      'storegate',
      '--config',
      '/etc/storegate/storegate.yaml',
      'upgrade',
      '/a.tar.gz',
      '--request-id',
      'r1',
      '--force',
    ]);
    expect(upgradeArgv(runner, 1, { ...req, force: false }).at(-1)).toBe('r1');
  });

  it('resolves when the runner exits 0, refuses with SG_UPGRADE_NOT_STARTED and its stderr otherwise', async () => {
    const run = processRunner(systemClock(), 60_000);
    await expect(run(['/bin/sh', '-c', 'exit 0'])).resolves.toBeUndefined();
    await expect(
      run(['/bin/sh', '-c', 'echo "Interactive authentication required." >&2; exit 1']),
    ).rejects.toMatchObject({
      code: 'SG_UPGRADE_NOT_STARTED',
      message: expect.stringContaining('exited with 1: Interactive authentication required.'),
    });
    await expect(run(['/nonexistent/systemd-run'])).rejects.toMatchObject({ code: 'SG_UPGRADE_NOT_STARTED' });
  });

  it('counts a runner that keeps running as launched once the settle time passed, and leaves it running', async () => {
    const clock = new FakeClock(0);
    const launched = processRunner(clock, 3_000)(['/bin/sh', '-c', 'sleep 3']);
    let done = false;
    void launched.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    clock.advance(3_000);
    await launched;
  });
});
