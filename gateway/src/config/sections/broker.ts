import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

export const brokerLimitsSection = z.strictObject({
  max_packet_bytes: z
    .number()
    .int()
    .min(256)
    .max(268_435_455)
    .default(64 * 1024)
    .describe('Largest MQTT packet accepted; checked from the fixed header, before the packet is buffered'),
  max_topic_levels: z
    .number()
    .int()
    .min(2)
    .max(64)
    .default(8)
    .describe('Most `/`-separated levels in a topic'),
  max_client_id_length: z.number().int().min(1).max(256).default(64),
  max_connections: z
    .number()
    .int()
    .min(1)
    .default(5_000)
    .describe('Open connections over all listeners; more are closed at once'),
  max_connections_per_address: z
    .number()
    .int()
    .min(1)
    .default(64)
    .describe('Open connections (before and after CONNECT) from one remote address; more are closed at once'),
  max_pending_connects: z
    .number()
    .int()
    .min(1)
    .default(256)
    .describe('Sockets that have not sent CONNECT yet, over all listeners; more are closed at once'),
  max_publishes_per_second: z
    .number()
    .positive()
    .default(200)
    .describe('Per-device sustained publish rate; a device above rate + burst is disconnected'),
  publish_burst: z.number().int().min(1).default(400).describe('Per-device burst on top of the rate'),
  drain_timeout_ms: z
    .number()
    .int()
    .min(100)
    .default(5_000)
    .describe('A client that does not read its socket for this long is disconnected'),
  connect_timeout_ms: z
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('A connection that sends no CONNECT within this time is closed'),
  max_keepalive_s: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(300)
    .describe('Refuse CONNECTs with a keepalive above this, or without one; 0 = no cap'),
});

export const brokerSection = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: port.default(1883).describe('MQTT over TCP; 0 = any free port'),
  allow_anonymous: z
    .boolean()
    .default(false)
    .describe('Let clients without credentials connect: they may only read lanes/+/state, never publish'),
  tls: z
    .strictObject({
      port: port.default(8883),
      cert: z.string().describe('PEM certificate file'),
      key: z.string().describe('PEM private key file'),
      ca: z
        .string()
        .optional()
        .describe('CA bundle: when set, devices must also present a client certificate'),
    })
    .optional()
    .describe('MQTT over TLS listener (off unless set)'),
  websocket: z
    .strictObject({ port: port.default(8083), path: z.string().default('/mqtt') })
    .optional()
    .describe('MQTT over WebSocket listener (off unless set)'),
  auth_throttle: z
    .strictObject({
      max_failures: z.number().int().min(1).default(5),
      window_ms: z.number().int().min(1000).default(60_000),
      block_ms: z.number().int().min(1000).default(300_000),
    })
    .default({ max_failures: 5, window_ms: 60_000, block_ms: 300_000 })
    .describe('max_failures failed logins from one address within window_ms block that address for block_ms'),
  limits: brokerLimitsSection.default(brokerLimitsSection.parse({})),
});
export type BrokerSection = z.output<typeof brokerSection>;
