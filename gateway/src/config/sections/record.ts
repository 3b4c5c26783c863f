import { z } from 'zod';

/** `record:` — live device inputs written in the replay format (docs/replay.md), bounded on disk. */
export const recordSection = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe(
        'Recording file (relative to the config file); older parts rotate to NAME.1.EXT, NAME.2.EXT, ...',
      ),
    max_mb: z
      .number()
      .positive()
      .max(1_000_000)
      .default(100)
      .describe('Disk the recording may use in total, current file and rotated parts together (MiB)'),
    files: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(4)
      .describe('Parts kept: each holds max_mb / files; the oldest is deleted when a new one starts'),
    flush_ms: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(1_000)
      .describe('Buffered lines are written at least this often (and on stop)'),
  })
  .describe('Record live device inputs for `storegate replay` (absent: off)');

export type RecordConfig = z.output<typeof recordSection>;
