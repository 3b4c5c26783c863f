import { z } from 'zod';

export const httpTlsSection = z
  .strictObject({
    cert_file: z
      .string()
      .min(1)
      .optional()
      .describe('PEM certificate; omit both files for a self-signed one'),
    key_file: z.string().min(1).optional().describe('PEM private key of cert_file'),
  })
  .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), {
    message: 'give both cert_file and key_file, or neither (a self-signed certificate in data_dir/tls)',
  })
  .describe(
    'Serve HTTPS instead of HTTP. With no files a self-signed certificate is generated once in data_dir/tls and its SHA-256 fingerprint logged for pinning (docs/security.md)',
  );

export type HttpTlsSection = z.output<typeof httpTlsSection>;

/** The HTTP API, dashboard and WebSockets: listen address and access control (docs/security.md). */
export const httpSection = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  allowed_hosts: z
    .array(z.string().min(1).max(253))
    .default([])
    .describe(
      'Host names the gateway answers to besides IP literals, localhost and this machine\'s hostname (DNS rebinding guard); "*.example.com" matches subdomains',
    ),
  tls: httpTlsSection.optional(),
  metrics_public: z
    .boolean()
    .default(false)
    .describe('Serve /metrics without credentials from any address; by default only from loopback'),
  session_ttl_ms: z
    .number()
    .int()
    .min(60_000)
    .default(12 * 3_600_000)
    .describe('Browser sessions end this long after login'),
  login: z
    .strictObject({
      max_failures: z.number().int().min(1).default(5).describe('Failed logins per address and per user'),
      window_ms: z
        .number()
        .int()
        .min(1_000)
        .default(15 * 60_000),
    })
    .default({ max_failures: 5, window_ms: 15 * 60_000 }),
  audit_max_entries: z
    .number()
    .int()
    .min(100)
    .default(100_000)
    .describe('Audit log rows kept in registry.db (older ones were forwarded to the cloud)'),
});

export type HttpSection = z.output<typeof httpSection>;
