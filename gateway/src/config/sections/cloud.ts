import { z } from 'zod';

const ratio = z.number().gt(0).max(1);

/** Durable outbox between processors and the cloud uplink (store-and-forward issue, docs/outbox.md). */
export const outboxSection = z
  .strictObject({
    local_only: z
      .boolean()
      .default(false)
      .describe(
        'No cloud is intended (the demo, a store read only locally): events are kept all the same, and the missing `cloud` is logged as info instead of a warning',
      ),
    budget_bytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(512 * 1024 * 1024)
      .describe('Bytes of queued events before telemetry is compacted; must-deliver may exceed it'),
    min_free_disk_bytes: z
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024)
      .describe(
        'Hard floor of free disk (statfs on data_dir, plus free pages inside outbox.db): appends are refused rather than cross it',
      ),
    reserve_bytes: z
      .number()
      .int()
      .min(0)
      .default(16 * 1024 * 1024)
      .describe(
        'Preallocated outbox.reserve file, released when the disk is full so deletes and checkpoints still succeed',
      ),
    commit_interval_ms: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(5)
      .describe('Group commit: appends within this window share one fsync'),
    watermarks: z
      .strictObject({
        warn: ratio.default(0.7),
        compact: ratio.default(0.85).describe('Telemetry is compacted above this share of the budget'),
        critical: ratio.default(0.95),
      })
      .default({ warn: 0.7, compact: 0.85, critical: 0.95 }),
    compact_target: ratio.default(0.6).describe('Compaction stops once usage is below this share'),
    max_event_bytes: z
      .number()
      .int()
      .min(256)
      .default(64 * 1024)
      .describe('A single event larger than this is refused'),
  })
  .refine((o) => o.watermarks.warn <= o.watermarks.compact && o.watermarks.compact <= o.watermarks.critical, {
    message: 'watermarks must satisfy warn <= compact <= critical',
    path: ['watermarks'],
  })
  .refine((o) => o.compact_target < o.watermarks.compact, {
    message: 'compact_target must be below watermarks.compact',
    path: ['compact_target'],
  });

const brokerUrl = z
  .string()
  .regex(/^(mqtts?|wss?):\/\/[^/]/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL');

/** Cloud MQTT uplink; absent = no cloud (events stay in the outbox). */
export const cloudSection = z.strictObject({
  url: z
    .union([brokerUrl, z.array(brokerUrl).min(1)])
    .describe(
      'mqtt://, mqtts://, ws:// or wss:// URL of the cloud broker, or a list of them: on a failed connection or a lost link the uplink tries the next',
    ),
  client_id: z.string().optional().describe('Default: storegate-{store.id}'),
  command_signing: z
    .strictObject({
      public_keys: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'Ed25519 public keys (PEM, or base64 of the raw 32 bytes) that may sign state-changing commands',
        ),
      trusted_connection: z
        .boolean()
        .default(false)
        .describe(
          'Accept unsigned state-changing commands (catalog.sync…) because the cloud broker and its topic ACL are trusted',
        ),
    })
    .default({ public_keys: [], trusted_connection: false }),
  protocol_version: z.union([z.literal(4), z.literal(5)]).default(4),
  username: z.string().optional(),
  password: z.string().optional(),
  ca: z.string().optional().describe('PEM CA file to verify the cloud broker (relative to the config file)'),
  cert: z.string().optional().describe('PEM client certificate file'),
  key: z.string().optional().describe('PEM client private key file'),
  reject_unauthorized: z.boolean().default(true),
  topic_prefix: z.string().optional().describe('Default: stores/{store.id}'),
  keepalive_s: z.number().int().min(0).max(65535).default(30),
  connect_timeout_ms: z.number().int().min(100).default(10_000),
  reconnect_min_ms: z.number().int().min(10).default(500),
  reconnect_max_ms: z.number().int().min(10).default(60_000),
  max_message_bytes: z
    .number()
    .int()
    .min(1024)
    .max(268_435_455)
    .default(128 * 1024)
    .describe('Upper bound of one batch message (AWS IoT Core: 128 KB)'),
  max_publishes_per_second: z.number().positive().default(100).describe('AWS IoT Core: 100/s per connection'),
  max_inflight_messages: z.number().int().min(1).max(1000).default(16),
  max_events_per_message: z.number().int().min(1).default(5_000),
});
