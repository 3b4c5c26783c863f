import { z } from 'zod';

const outcome = {
  from: z.string().describe('The release that ran before'),
  to: z.string().describe('The release the upgrade installed'),
  running: z.string().describe('The release running now, which sends this event'),
  artifact: z.string().describe('The release tarball the upgrade used'),
  request_id: z.string().nullable().describe('The cloud `release.upgrade` request; null for a CLI upgrade'),
  forced: z.boolean().describe('The quiet window was skipped (--force)'),
  started_at: z.number().int().describe('Epoch ms the upgrade started'),
  finished_at: z.number().int().describe('Epoch ms it ended'),
};

/**
 * Upgrades (`storegate upgrade`, also run by the cloud's `release.upgrade`), stream `gateway/release`,
 * must-deliver. Sent once by the gateway that starts after the upgrade ended (docs/deploy.md).
 */
export const releaseEvents = {
  'release.upgraded': z
    .strictObject({ ...outcome, backup: z.string().describe('The database backup taken before the switch') })
    .describe('an upgrade switched to a new release, which came up healthy'),
  'release.rolled_back': z
    .strictObject({ ...outcome, problem: z.string().describe('Why the new release was not accepted') })
    .describe('a new release did not come up healthy and the previous one runs again'),
} as const;
