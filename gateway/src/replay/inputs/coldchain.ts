import type { Clock } from '../../../../shared/src/clock.js';
import { assignReadingBody, firstIssue, intrinsicQuality } from '../../../../shared/src/devices/codec.js';
import { topicBySuffix } from '../../../../shared/src/devices/tables.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { StoregateError } from '../../core/errors.js';
import { coldChainOptions } from '../../features/coldchain/units.js';
import type { Processor } from '../../ports/pipeline.js';
import { ColdChainProcessor } from '../../processors/coldchain/coldchain-processor.js';
import type { ReplayDomain, ReplaySetup } from '../replay-domain.js';

const ENV = topicBySuffix.get('env')!;
const ENV_KEYS = ['temp_c', 'humidity_pct', 'door_open', 'probe_fault', 'defrost', 'compressor_on', 'alarm'];
const DEVICE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Cold-chain lines for `storegate replay` (docs/coldchain.md "Replay"), with the units of `--config`:
 *   {"t", "device", "unit"?, "temp_c"?, "humidity_pct"?, "door_open"?, "probe_fault"?, "defrost"?,
 *    "compressor_on"?, "alarm"?}                 a cold.sample (the env payload: also what a Modbus poll says)
 *   {"t", "device", "unit"?, "kwh", "power_w"?}   an energy.meter reading
 * Prints coldchain.alarm, coldchain.gap, coldchain.sample (the HACCP record) and coldchain.day events.
 */
export function coldchainReplayDomain(): ReplayDomain {
  return {
    name: 'coldchain',
    parse(line: Record<string, unknown>): Reading[] | null {
      if (!('device' in line)) return null;
      const energy = 'kwh' in line;
      if (!energy && !ENV_KEYS.some((k) => k in line)) return null;
      const { t, device, ...payload } = line;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new StoregateError('SG_PAYLOAD_REJECTED', '"t" must be epoch milliseconds');
      if (typeof device !== 'string' || !DEVICE.test(device))
        throw new StoregateError('SG_PAYLOAD_REJECTED', '"device" must be an id (letters, digits, _ . : -)');
      const meta = {
        deviceId: device,
        deviceTime: t,
        receivedAt: t,
        quality: 'good' as const,
        source: 'replay' as const,
      };
      if (energy) return [energyReading(meta, payload)];
      const parsed = ENV.payload.safeParse(payload);
      if (!parsed.success) {
        const issue = firstIssue(parsed.error);
        if (issue?.code === 'unrecognized_keys')
          throw new StoregateError(
            'SG_PAYLOAD_REJECTED',
            `unknown key "${issue.keys[0]}" in a cold-chain line`,
          );
        throw new StoregateError(
          'SG_PAYLOAD_REJECTED',
          issue ? `"${issue.path.map(String).join('.')}" ${issue.message}` : 'invalid line',
        );
      }
      // biome-ignore lint/suspicious/noExplicitAny: built field by field from the validated payload
      const reading: Record<string, any> = { ...meta };
      assignReadingBody(ENV, parsed.data, reading);
      reading.quality = intrinsicQuality(ENV.reading, reading);
      return [reading as Reading];
    },
    processors(setup: ReplaySetup, _clock: Clock): Processor[] {
      const options = coldChainOptions(setup.config);
      return options.units.length === 0 ? [] : [new ColdChainProcessor(options)];
    },
  };
}

function energyReading(meta: Omit<Reading, 'type'>, payload: Record<string, unknown>): Reading {
  const { unit, kwh, power_w, ...rest } = payload;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    throw new StoregateError('SG_PAYLOAD_REJECTED', `unknown key "${extra}" in an energy line`);
  if (typeof kwh !== 'number' || !Number.isFinite(kwh) || kwh < 0)
    throw new StoregateError('SG_PAYLOAD_REJECTED', '"kwh" must be a number ≥ 0');
  if (power_w !== undefined && (typeof power_w !== 'number' || !Number.isFinite(power_w)))
    throw new StoregateError('SG_PAYLOAD_REJECTED', '"power_w" must be a number of watts');
  if (unit !== undefined && (typeof unit !== 'string' || !DEVICE.test(unit)))
    throw new StoregateError('SG_PAYLOAD_REJECTED', '"unit" must be an id');
  return {
    ...meta,
    type: 'energy.meter',
    kwh,
    ...(power_w === undefined ? {} : { powerW: power_w as number }),
    ...(unit === undefined ? {} : { unit: unit as string }),
  } as Reading;
}
