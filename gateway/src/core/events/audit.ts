import { z } from 'zod';

/** The audit trail as the cloud receives it (stream `audit`, must-deliver). */
export const auditEvents = {
  'audit.entry': z
    .strictObject({
      audit_id: z.number().int(),
      actor: z.string().describe('user:alice, token:lane-display-1, cli:root, anonymous, …'),
      role: z.string().nullable(),
      action: z.string().describe('http.put /api/planogram, lane.override, login.failed, user.add, …'),
      target: z.string().nullable(),
      outcome: z.enum(['ok', 'refused', 'failed']),
      address: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    })
    .describe('a state-changing request, a login or a refusal was recorded'),
} as const;
