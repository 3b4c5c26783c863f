import { z } from 'zod';

/**
 * The cloud wire contract of the outbox (docs/outbox.md): one schema per message shape, exported to
 * docs/schemas/ and checked against what the outbox really sends (test/outbox/wire-schemas.test.ts).
 */

const seq = z.number().int().min(1);
const ms = z.number().describe('epoch milliseconds');

/** One element of a batch message's `batch` array. */
export const cloudEvent = z.strictObject({
  id: z.uuid().describe('UUIDv7, or the UUIDv5 derived from a device msg_id; the same id on a redelivery'),
  epoch: z.number().int().min(1).describe('stream epoch of the outbox; a new one after a loss, never reused'),
  seq: seq.describe('per-stream sequence number within the epoch'),
  stream: z.string().min(1).max(256),
  type: z.string().min(1).max(128),
  t: ms.describe('time the event refers to'),
  class: z.enum(['must_deliver', 'telemetry']),
  data: z.record(z.string(), z.unknown()),
});

/** `{prefix}/events`: a batch message. */
export const cloudBatch = z.strictObject({
  store: z.string(),
  sent_at: ms,
  batch: z.array(cloudEvent),
});

const fieldStats = z.strictObject({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  count: z.number().int(),
});

/** `data` of `outbox.rollup` (telemetry): stands for the telemetry of its stream with seq in the range. */
export const rollupData = z.strictObject({
  rollup: z.enum(['1m', '15m', '1h']),
  window_start: ms,
  window_end: ms,
  count: z.number().int().min(1),
  seq_from: seq,
  seq_to: seq,
  types: z.record(
    z.string(),
    z.strictObject({ count: z.number().int().min(1), fields: z.record(z.string(), fieldStats) }),
  ),
});

/** `data` of `outbox.dropped` (must-deliver): telemetry of its stream with seq in the range was dropped. */
export const droppedData = z.strictObject({
  reason: z.literal('budget_exhausted'),
  seq_from: seq,
  seq_to: seq,
  count: z.number().int().min(1),
  types: z.record(z.string(), z.number().int().min(1)),
  window_start: ms,
  window_end: ms,
});

const diskFigures = {
  available_bytes: z.number(),
  free_bytes: z.number(),
  reclaimable_bytes: z.number(),
  floor_bytes: z.number(),
};

/** `data` of `gateway.disk_full` (stream `gateway/outbox`, must-deliver). */
export const diskFullData = z.discriminatedUnion('state', [
  z.strictObject({
    state: z.literal('refusing'),
    cause: z.enum(['disk_floor', 'write_failed']),
    since: ms,
    ...diskFigures,
  }),
  z.strictObject({
    state: z.literal('recovered'),
    since: ms,
    until: ms,
    refused: z.strictObject({
      must_deliver: z.number().int().min(0),
      telemetry: z.number().int().min(0),
      by_type: z.record(z.string(), z.number().int()),
    }),
    ...diskFigures,
  }),
]);

const streamSeqs = z.record(z.string(), z.number().int().min(0));

/** `data` of `gateway.data_loss` (stream `gateway/outbox`, must-deliver, first event of the new epoch). */
export const dataLossData = z.strictObject({
  reason: z.enum(['missing', 'empty', 'corrupt', 'wal_corrupt', 'rolled_back']),
  detail: z.string(),
  epoch: z.number().int(),
  previous_epoch: z.number().int().nullable(),
  moved_to: z.array(z.string()),
  last_known: z
    .strictObject({
      epoch: z.number().int(),
      saved_at: ms,
      must_deliver: z.number().int(),
      telemetry: z.number().int(),
      streams: streamSeqs.describe('last seq assigned per stream, as of saved_at'),
    })
    .nullable(),
  queued: z
    .strictObject({
      epoch: z.number().int().nullable(),
      must_deliver: z.number().int(),
      telemetry: z.number().int(),
      by_type: z.record(z.string(), z.number().int()),
      streams: z.record(
        z.string(),
        z.strictObject({ seq_from: z.number().int(), seq_to: z.number().int(), count: z.number().int() }),
      ),
    })
    .nullable()
    .describe('what the moved-aside file still held, if it could be read'),
  queued_problem: z.string().nullable(),
  streams_truncated: z.boolean(),
});

/** `data` of `clock.step` (stream `gateway/clock`, must-deliver). */
export const clockStepData = z.strictObject({
  direction: z.enum(['back', 'forward']),
  delta_ms: z.number().int(),
  expected_ms: ms,
  actual_ms: ms,
});

/** Event `data` schemas by type, for the events the outbox itself writes. */
export const outboxEventData = {
  'outbox.rollup': rollupData.describe(
    'telemetry of its stream compacted under disk pressure: min/max/mean per field',
  ),
  'outbox.dropped': droppedData.describe('telemetry of its stream dropped when the disk budget ran out'),
  'gateway.disk_full': diskFullData.describe(
    'the outbox refuses appends (disk floor or write failure), or recovered',
  ),
  'gateway.data_loss': dataLossData.describe(
    'the outbox database was lost or damaged: what may be gone; first event of a new epoch',
  ),
  'clock.step': clockStepData.describe('the wall clock jumped against the monotonic clock'),
} as const;
