import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

export const brokerLimitsSection = z.strictObject({
  max_packet_bytes: z
    .number()
    .int()
    .min(256)
    .max(268_435_455)
    .default(64 * 1024),
  max_topic_levels: z.number().int().min(2).max(64).default(8),
  max_client_id_length: z.number().int().min(1).max(256).default(64),
  max_connections: z.number().int().min(1).default(5_000),
  max_publishes_per_second: z.number().positive().default(200),
  publish_burst: z.number().int().min(1).default(400),
  drain_timeout_ms: z.number().int().min(100).default(5_000),
  connect_timeout_ms: z.number().int().min(100).default(10_000),
  max_keepalive_s: z.number().int().min(0).max(65535).default(300),
});

export const brokerSection = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: port.default(1883),
  allow_anonymous: z.boolean().default(false),
  tls: z
    .strictObject({
      port: port.default(8883),
      cert: z.string().describe('PEM certificate file'),
      key: z.string().describe('PEM private key file'),
      ca: z.string().optional().describe('CA bundle to verify device client certificates'),
    })
    .optional(),
  websocket: z.strictObject({ port: port.default(8083), path: z.string().default('/mqtt') }).optional(),
  auth_throttle: z
    .strictObject({
      max_failures: z.number().int().min(1).default(5),
      window_ms: z.number().int().min(1000).default(60_000),
      block_ms: z.number().int().min(1000).default(300_000),
    })
    .default({ max_failures: 5, window_ms: 60_000, block_ms: 300_000 }),
  limits: brokerLimitsSection.default(brokerLimitsSection.parse({})),
});
