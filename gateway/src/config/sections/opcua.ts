import { z } from 'zod';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** OPC UA string form of a node id: `ns=2;s=Fridge3.Temp`, `i=2258`, `nsu=urn:x;s=Door`, `ns=1;g=<guid>`. */
const nodeId = z
  .string()
  .regex(
    /^(ns=\d+;|nsu=[^;]+;)?(i=\d+|s=.+|g=[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}|b=[A-Za-z0-9+/=]+)$/,
    'an OPC UA node id such as ns=2;s=Fridge3.Temp or ns=0;i=2258',
  );

/** Refrigeration alarm on a temperature point (°C): raised after `for_s` above `max_c`, cleared below `max_c - hysteresis_c`. */
export const plantAlarmSchema = z.strictObject({
  max_c: z.number().min(-60).max(60).describe('Highest acceptable temperature in °C'),
  for_s: z
    .number()
    .min(0)
    .max(86_400)
    .default(300)
    .describe('How long the point must stay above max_c before the alarm is raised'),
  hysteresis_c: z
    .number()
    .min(0)
    .max(20)
    .default(1)
    .describe('The alarm clears only once the value is at or below max_c - hysteresis_c'),
});

const point = z.strictObject({
  node_id: nodeId,
  name: id.describe('Point alias used in readings, e.g. fridge-3.temp'),
  unit: z.string().max(16).optional(),
  sampling_interval_ms: z.number().int().min(0).max(3_600_000).default(1_000),
  deadband: z
    .number()
    .min(0)
    .optional()
    .describe('Absolute deadband: changes smaller than this are not reported (numeric points only)'),
  alarm: plantAlarmSchema.optional(),
});

const securityModes = ['None', 'Sign', 'SignAndEncrypt'] as const;
const securityPolicies = [
  'None',
  'Basic128Rsa15',
  'Basic256',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;

const endpoint = z
  .strictObject({
    id: id.describe(
      'Device id used in readings (register it with `storegate device add --kind plant` to track last-seen)',
    ),
    url: z.string().regex(/^opc\.tcp:\/\/[^\s/]+/, 'an opc.tcp://host:port URL'),
    security_mode: z.enum(securityModes).default('None'),
    security_policy: z.enum(securityPolicies).default('None'),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    publishing_interval_ms: z.number().int().min(50).max(600_000).default(1_000),
    points: z.array(point).min(1),
  })
  .superRefine((ep, ctx) => {
    if ((ep.security_mode === 'None') !== (ep.security_policy === 'None')) {
      ctx.addIssue({
        code: 'custom',
        path: ['security_policy'],
        message:
          'security_mode None goes with security_policy None, and Sign/SignAndEncrypt need a real policy',
      });
    }
    if ((ep.username === undefined) !== (ep.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'username and password go together' });
    }
    const seen = new Set<string>();
    ep.points.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({ code: 'custom', path: ['points', i, 'name'], message: 'duplicate point name' });
      seen.add(p.name);
    });
  });

/** OPC UA endpoints for refrigeration and building systems. */
export const opcuaSection = z
  .strictObject({
    endpoints: z.array(endpoint).default([]),
    reconnect: z
      .strictObject({
        initial_delay_ms: z.number().int().min(50).max(60_000).default(1_000),
        max_delay_ms: z.number().int().min(100).max(600_000).default(30_000),
        attempt_timeout_ms: z
          .number()
          .int()
          .min(1_000)
          .max(600_000)
          .default(20_000)
          .describe(
            "Longest one recovery attempt may take (node-opcua's own repair after a connection loss, or a fresh connect, session and subscription) before that client is discarded and a new one built",
          ),
      })
      .default({ initial_delay_ms: 1_000, max_delay_ms: 30_000, attempt_timeout_ms: 20_000 }),
    max_requests_per_s: z
      .number()
      .int()
      .min(10)
      .max(10_000)
      .default(100)
      .describe(
        'More requests than this to one server within a second (CreateMonitoredItems, one per point, not counted) mean a runaway client loop: the client is discarded and rebuilt after a backoff',
      ),
    keepalive_interval_ms: z
      .number()
      .int()
      .min(500)
      .max(300_000)
      .default(5_000)
      .describe('Session keep-alive read: how soon a session the server dropped is noticed and repaired'),
    heartbeat_interval_ms: z
      .number()
      .int()
      .min(200)
      .max(300_000)
      .default(30_000)
      .describe(
        'While a subscription is alive, a device.status reading per endpoint at this interval keeps it online in device health even when no value changes',
      ),
    request_timeout_ms: z.number().int().min(500).max(600_000).default(10_000),
    stop_timeout_ms: z.number().int().min(100).max(60_000).default(3_000),
    trust_unknown_server_certificates: z
      .boolean()
      .default(false)
      .describe(
        'Accept any server certificate (testing only). Otherwise trust a server by copying its certificate into <pki_dir>/trusted/certs',
      ),
    pki_dir: z
      .string()
      .default('opcua-pki')
      .describe('Client certificate store (needed for Sign/SignAndEncrypt); relative to data_dir'),
  })
  .superRefine((section, ctx) => {
    if (section.reconnect.attempt_timeout_ms < section.request_timeout_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['reconnect', 'attempt_timeout_ms'],
        message: 'must be at least request_timeout_ms: a recovery attempt waits for several requests',
      });
    }
    const seen = new Set<string>();
    section.endpoints.forEach((ep, i) => {
      if (seen.has(ep.id))
        ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'id'], message: 'duplicate endpoint id' });
      seen.add(ep.id);
    });
  });

export type OpcuaSection = z.output<typeof opcuaSection>;
export type OpcuaEndpointConfig = OpcuaSection['endpoints'][number];
export type OpcuaPointConfig = OpcuaEndpointConfig['points'][number];
export type PlantAlarmConfig = z.output<typeof plantAlarmSchema>;
