import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** deploy/storegate.service as measured by systemd itself (the score docs/security.md records). */
describe('systemd unit hardening', () => {
  it('systemd-analyze security scores deploy/storegate.service at 3.0 or below', () => {
    let out: string;
    try {
      out = execFileSync(
        'systemd-analyze',
        ['security', '--offline=yes', '--no-pager', 'deploy/storegate.service'],
        {
          encoding: 'utf8',
        },
      );
    } catch (err) {
      const e = err as { code?: string; stdout?: string };
      if (e.code === 'ENOENT') throw new Error('systemd-analyze is missing: apt-get install -y systemd');
      out = e.stdout ?? ''; // it exits non-zero above its threshold; the score is still printed
    }
    const score = Number(/Overall exposure level for storegate\.service: ([\d.]+)/.exec(out)?.[1]);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThanOrEqual(3.0);
  });
});
