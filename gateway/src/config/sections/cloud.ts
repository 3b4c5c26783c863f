import { z } from 'zod';

/** Durable outbox between processors and the cloud uplink (store-and-forward issue). */
export const outboxSection = z.strictObject({
  budget_bytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .default(512 * 1024 * 1024),
  min_free_disk_bytes: z
    .number()
    .int()
    .min(0)
    .default(256 * 1024 * 1024),
  commit_interval_ms: z.number().int().min(0).max(1000).default(5),
});

/** Cloud MQTT uplink; absent = no cloud (events stay in the outbox). */
export const cloudSection = z.strictObject({
  url: z.string().describe('mqtt://, mqtts://, ws:// or wss:// URL of the cloud broker'),
  client_id: z.string().optional(),
  protocol_version: z.union([z.literal(4), z.literal(5)]).default(4),
  username: z.string().optional(),
  password: z.string().optional(),
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  topic_prefix: z.string().optional().describe('Default: stores/{store.id}'),
});
