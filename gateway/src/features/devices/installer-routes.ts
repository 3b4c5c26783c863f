import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deviceKinds } from '../../../../shared/src/device-contract.js';
import { deviceJson } from '../../cli/commands/device-credentials-output.js';
import type { LoadedConfig } from '../../config/load.js';
import { errorBody, StoregateError } from '../../core/errors.js';
import type { DeviceRegistry } from '../../ports/device-registry.js';
import { kindExpectations } from '../../processors/health/expectations.js';
import { LOCATION_KEYS } from '../../registry/db-device-rows.js';
import { importDevicesCsv } from './device-import.js';
import { type ProvisionedDevice, provisionDevice, qrPngDataUrl } from './provisioning.js';

const INSTALLER = { config: { role: 'installer' as const } };
const MAX_CSV_BYTES = 2 * 1024 * 1024;

const addBody = z.strictObject({
  id: z.string(),
  kind: z.enum(deviceKinds),
  location: z.partialRecord(z.enum(LOCATION_KEYS), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  broker_url: z.string().url().optional(),
});
const importBody = z.strictObject({ csv: z.string().min(1), broker_url: z.string().url().optional() });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new StoregateError('SG_BAD_ARGUMENT', message);
}

/** What `storegate device add --json` prints, plus the QR code as a PNG data URL. */
async function credentialsJson(p: ProvisionedDevice) {
  return {
    device: deviceJson(p.device),
    secret: p.secret,
    mqtt: p.mqtt,
    qr_payload: JSON.stringify(p.payload),
    qr_png: await qrPngDataUrl(p.payload),
  };
}

export interface InstallerDeviceDeps {
  registry: Pick<DeviceRegistry, 'add' | 'get' | 'remove'>;
  config: LoadedConfig;
  /** The registry changed: health re-reads it now instead of at its next round. */
  changed(): void;
}

/**
 * The installer's device operations (role installer), on the code paths of `storegate device add / import /
 * remove`: `GET /api/device-kinds` (viewer), `POST /api/devices` → the secret (once) with its QR code, `POST /api/devices/import` (JSON
 * `{csv}` or a `text/csv` body; all or nothing, 400 with `error.lines` listing every bad line), and
 * `DELETE /api/devices/:id` (its connections are refused from then on).
 */
export function registerInstallerDeviceRoutes(http: FastifyInstance, deps: InstallerDeviceDeps): void {
  http.get('/api/device-kinds', async () => ({
    kinds: deviceKinds.map((kind) => ({ kind, note: kindExpectations[kind].note })),
  }));

  http.post('/api/devices', INSTALLER, async (req, reply) => {
    const body = parseBody(addBody, req.body);
    const provisioned = provisionDevice(
      deps.registry,
      deps.config,
      { id: body.id, kind: body.kind, location: body.location ?? {}, labels: body.labels ?? {} },
      body.broker_url,
    );
    deps.changed();
    return reply.code(201).send(await credentialsJson(provisioned));
  });

  http.register(async (scope) => {
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: MAX_CSV_BYTES },
      (_req, body, done) => done(null, { csv: body }),
    );
    scope.post('/api/devices/import', { ...INSTALLER, bodyLimit: MAX_CSV_BYTES }, async (req, reply) => {
      const body = parseBody(importBody, req.body);
      const result = importDevicesCsv(deps.registry, deps.config, body.csv, body.broker_url);
      if (!result.ok) {
        const err = new StoregateError(
          'SG_BAD_ARGUMENT',
          `${result.errors.length} problem(s) in the file; no device was registered`,
          { hint: 'fix the lines listed and import the whole file again' },
        );
        const out = errorBody(err);
        return reply.code(400).send({ error: { ...out.error, lines: result.errors } });
      }
      deps.changed();
      const devices = await Promise.all(result.devices.map(credentialsJson));
      return reply.code(201).send({ imported: devices.length, devices });
    });
  });

  http.delete<{ Params: { id: string } }>('/api/devices/:id', INSTALLER, async (req) => {
    const { id } = req.params;
    if (!deps.registry.remove(id)) {
      throw new StoregateError('SG_DEVICE_UNKNOWN', `no device ${id}`, {
        hint: 'only registered devices can be removed',
      });
    }
    deps.changed();
    return { removed: id };
  });
}
