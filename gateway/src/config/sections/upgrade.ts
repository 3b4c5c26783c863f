import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/** `upgrade:` — when `storegate upgrade` may stop the gateway, and how long it waits for the new release. */
export const upgradeSection = z
  .strictObject({
    quiet_window: z
      .strictObject({
        start: hhmm.describe('Local time (store.timezone) the window opens'),
        end: hhmm.describe('Local time it closes; before start means it runs past midnight'),
      })
      .optional()
      .describe('When upgrades may restart the gateway unless --force (absent: any time)'),
    calibration_idle_ms: z
      .number()
      .int()
      .min(0)
      .default(600_000)
      .describe('A shelf calibration counts as open until this long after its last sample window or command'),
    max_wait_ms: z
      .number()
      .int()
      .min(0)
      .default(86_400_000)
      .describe('Give up (SG_UPGRADE_BLOCKED) after waiting this long for the quiet window and idle lanes'),
    poll_interval_ms: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('How often the lanes and the window are checked while waiting'),
    health_deadline_ms: z
      .number()
      .int()
      .min(1_000)
      .default(120_000)
      .describe('The new release must answer /healthz ok with the outbox and broker up within this'),
    keep_releases: z
      .number()
      .int()
      .min(2)
      .default(3)
      .describe('Releases kept in /opt/storegate/releases (the current and previous ones always)'),
    remote_runner: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Absent (the default): release.upgrade hands the upgrade to the root helper storegate-upgrade.path/.service through data_dir/upgrade-request.json. Set on hosts without that helper: this argv, then `storegate --config FILE upgrade ARTIFACT --request-id ID [--force]`, is started detached; {time} is the epoch ms',
      ),
  })
  .describe('Upgrades with `storegate upgrade` (docs/deploy.md)');

export type UpgradeConfig = z.output<typeof upgradeSection>;
