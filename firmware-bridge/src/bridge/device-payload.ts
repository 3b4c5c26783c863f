import { type TopicSuffix, topicPayloads } from '../../../shared/src/device-contract.js';
import type { ReadingBody } from '../../../shared/src/readings.js';

export type DevicePublication = { suffix: TopicSuffix; payload: Record<string, unknown> };

/**
 * A decoded serial reading as the MQTT device contract's payload (snake_case, `t` = device time in epoch ms).
 * Validated with the same schema the gateway's broker applies, so the bridge never publishes what the
 * gateway would reject. Returns an error string for bodies the device contract cannot carry.
 */
export function toDevicePublication(
  body: ReadingBody,
  deviceTime: number | null,
): DevicePublication | string {
  const t = deviceTime === null ? {} : { t: Math.round(deviceTime) };
  let out: DevicePublication;
  switch (body.type) {
    case 'shelf.weight':
      out = {
        suffix: 'shelf',
        payload: { ...t, channel: body.channel, grams: body.grams, ...(body.hz ? { hz: body.hz } : {}) },
      };
      break;
    case 'scale.reading':
      out = { suffix: 'scale', payload: { ...t, grams: body.grams, status: body.status } };
      break;
    case 'scanner.scan':
      out = {
        suffix: 'scan',
        payload: { ...t, code: body.code, ...(body.symbology ? { symbology: body.symbology } : {}) },
      };
      break;
    case 'door.beam':
      out = { suffix: 'beam', payload: { ...t, beam: body.beam, blocked: body.blocked } };
      break;
    case 'door.count':
      out = { suffix: 'door', payload: { ...t, in: body.in, out: body.out } };
      break;
    case 'device.status':
      out = {
        suffix: 'status',
        payload: {
          ...t,
          ...(body.firmware ? { firmware: body.firmware } : {}),
          ...(body.uptimeS !== undefined ? { uptime_s: body.uptimeS } : {}),
        },
      };
      break;
    default:
      return `${body.type} has no device topic`;
  }
  const check = topicPayloads[out.suffix].safeParse(out.payload);
  if (!check.success)
    return `${out.suffix} payload invalid: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  return out;
}
