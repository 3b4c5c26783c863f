import { type CalibrationRecord, calibrationToWire } from '../../core/calibration.js';
import { StoregateError } from '../../core/errors.js';
import type { SampleSource } from './wizard.js';

/**
 * The running gateway as the wizard's sample source and calibration store, over its HTTP API:
 * GET /api/shelves/{device}/{channel}/samples?ms=… and PUT /api/calibrations/{device}/{channel}.
 */
export class GatewayHttpCalibration implements SampleSource {
  constructor(
    private readonly baseUrl: string,
    /** Authorization header (cli/api-credentials.ts). */
    private readonly auth: Record<string, string> = {},
  ) {}

  async read(device: string, channel: number, ms: number): Promise<number[]> {
    const url = `${this.baseUrl}/api/shelves/${encodeURIComponent(device)}/${channel}/samples?ms=${ms}`;
    const body = (await this.request(url, { method: 'GET' }, ms + 10_000)) as { samples: number[] };
    return body.samples;
  }

  /** The gateway records the calibration as the caller's identity; `record.installer` is only a note. */
  async save(record: CalibrationRecord): Promise<void> {
    const url = `${this.baseUrl}/api/calibrations/${encodeURIComponent(record.device)}/${record.channel}`;
    await this.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(calibrationToWire(record)),
      },
      10_000,
    );
  }

  private async request(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...this.auth },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new StoregateError(
        'SG_IO',
        `cannot reach the gateway at ${this.baseUrl}: ${(err as Error).message}`,
        {
          hint: 'is `storegate start` running? pass --gateway http://HOST:PORT',
        },
      );
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) {
      const message = body.error?.message ?? `HTTP ${res.status}`;
      throw new StoregateError(res.status === 404 ? 'SG_DEVICE_UNKNOWN' : 'SG_IO', message);
    }
    return body;
  }
}
