import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../../../shared/src/clock.js';
import { calibrationFromWire, calibrationToWire } from '../../core/calibration.js';
import { StoregateError } from '../../core/errors.js';
import { planogramToWire } from '../../core/facings.js';
import { actorName } from '../../core/identity.js';
import { plateSchema } from '../../core/planogram.js';
import type { ShelfProcessor } from '../../processors/shelf/shelf-processor.js';
import type { ShelvesStore } from '../../registry/planogram-store.js';
import type { ShelfDeviceCommands } from './device-commands.js';
import type { PickTally } from './pick-tally.js';
import { collectSamples } from './sample-window.js';

const MAX_SAMPLE_MS = 30_000;
const _STATUS: Partial<Record<string, number>> = {
  SG_BAD_ARGUMENT: 400,
  SG_DEVICE_UNKNOWN: 404,
  SG_NOT_READY: 503,
  SG_IO: 502,
};

function channelParam(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 63)
    throw new StoregateError('SG_BAD_ARGUMENT', 'channel must be 0..63');
  return n;
}

/** Who made a change: the authenticated identity (never a request header). Kept with every planogram version. */
function who(req: FastifyRequest): string {
  return actorName(req.identity!);
}

const INSTALLER = { config: { role: 'installer' as const } };

/** What the shelf routes need from the running feature. */
export interface ShelvesApi {
  readonly store: ShelvesStore;
  readonly processor: ShelfProcessor;
  readonly planogramVersion: number;
  readonly deviceCommands: ShelfDeviceCommands | null;
  /** Wall time of the last calibration step (sample window, tare, span): what `storegate upgrade` waits out. */
  calibrationActivityAt: number;
  readonly picks: PickTally | null;
  reload(): void;
}

/**
 * Shelf HTTP API: stock state, the versioned planogram, calibrations, and a raw-sample window for the
 * installer-guided `storegate calibrate`.
 */
export function registerShelfRoutes(http: FastifyInstance, shelves: ShelvesApi, clock: Clock): void {
  http.get('/api/shelves', async () => ({
    planogram_version: shelves.planogramVersion,
    plates: shelves.processor.stock(),
    facings: shelves.processor.facings(),
  }));

  // Units picked/put back per plate over the last `hours` (≤ 24) since the gateway started: the pick heatmap.
  http.get<{ Querystring: { hours?: string } }>('/api/shelves/picks', async (req) => {
    const hours = Number(req.query.hours ?? 24);
    if (!Number.isFinite(hours) || hours <= 0)
      throw new StoregateError('SG_BAD_ARGUMENT', 'hours must be > 0');
    const now = clock.now();
    const window = shelves.picks?.window(now, hours) ?? { from: now, plates: [] };
    return { from: window.from, to: now, plates: window.plates };
  });

  http.get('/api/planogram', async () => {
    const v = shelves.store.current();
    return {
      version: v?.version ?? 0,
      changed_by: v?.changedBy ?? null,
      changed_at: v?.changedAt ?? null,
      reason: v?.reason ?? null,
      ...planogramToWire(v?.plates ?? []),
    };
  });

  http.get('/api/planogram/history', async () => ({
    versions: shelves.store.history().map((h) => ({
      version: h.version,
      changed_by: h.changedBy,
      changed_at: h.changedAt,
      reason: h.reason,
    })),
  }));

  http.put('/api/planogram', INSTALLER, async (req) => {
    const v = shelves.store.replace(req.body, who(req), 'replaced via API', clock.now());
    shelves.reload();
    return { version: v.version, plates: v.plates.length };
  });

  http.put<{ Params: { device: string; channel: string } }>(
    '/api/planogram/plates/:device/:channel',
    INSTALLER,
    async (req) => {
      const channel = channelParam(req.params.channel);
      const body = { ...(req.body as object), device: req.params.device, channel };
      const parsed = plateSchema.safeParse(body);
      if (!parsed.success) {
        const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new StoregateError('SG_BAD_ARGUMENT', `invalid plate: ${msg}`);
      }
      const v = shelves.store.setPlate(parsed.data, who(req), clock.now());
      shelves.reload();
      return { version: v.version };
    },
  );

  http.delete<{ Params: { device: string; channel: string } }>(
    '/api/planogram/plates/:device/:channel',
    INSTALLER,
    async (req) => {
      const channel = channelParam(req.params.channel);
      const v = shelves.store.removePlate(req.params.device, channel, who(req), clock.now());
      shelves.reload();
      return { version: v.version };
    },
  );

  http.get('/api/calibrations', async () => ({
    calibrations: shelves.store.calibrations().map(calibrationToWire),
  }));

  http.put<{ Params: { device: string; channel: string } }>(
    '/api/calibrations/:device/:channel',
    INSTALLER,
    async (req) => {
      const channel = channelParam(req.params.channel);
      const record = calibrationFromWire({
        ...(req.body as object),
        device: req.params.device,
        channel,
        // The changer is the authenticated identity, whatever the body says.
        installer: who(req),
      });
      shelves.store.saveCalibration(record, clock.now());
      shelves.reload();
      return { saved: true };
    },
  );

  // Raw samples of one channel over the next `ms` milliseconds (what the calibration wizard measures).
  http.get<{ Params: { device: string; channel: string }; Querystring: { ms?: string } }>(
    '/api/shelves/:device/:channel/samples',
    INSTALLER,
    async (req) => {
      const channel = channelParam(req.params.channel);
      const ms = Math.min(MAX_SAMPLE_MS, Math.max(100, Number(req.query.ms ?? 2000) || 2000));
      shelves.calibrationActivityAt = clock.now();
      const { samples, hz } = await collectSamples(shelves, clock, req.params.device, channel, ms);
      shelves.calibrationActivityAt = clock.now();
      return { device: req.params.device, channel, ms, hz, samples };
    },
  );

  // Commands executed by the shelf controller itself (serial protocol or MQTT command topic): tare and span.
  http.post<{ Params: { device: string; channel: string; command: string }; Body: { known_grams?: number } }>(
    '/api/shelves/:device/:channel/:command',
    INSTALLER,
    async (req) => {
      const { device, command } = req.params;
      const channel = channelParam(req.params.channel);
      const commands = shelves.deviceCommands;
      shelves.calibrationActivityAt = clock.now();
      if (!commands)
        throw new StoregateError('SG_NOT_READY', 'no command transport to shelf devices is configured');
      if (command === 'tare') {
        await commands.tare(device, channel);
        shelves.processor.resetPlate(device, channel);
        return { ok: true };
      }
      if (command === 'calibrate') {
        const known = req.body?.known_grams;
        if (typeof known !== 'number' || !(known > 0)) {
          throw new StoregateError('SG_BAD_ARGUMENT', 'known_grams (the weight on the plate) is required');
        }
        const result = await commands.calibrate(device, channel, known);
        shelves.processor.resetPlate(device, channel);
        return { ok: true, counts_per_gram: result.countsPerGram };
      }
      throw new StoregateError('SG_BAD_ARGUMENT', `unknown shelf command "${command}" (tare, calibrate)`);
    },
  );
}
