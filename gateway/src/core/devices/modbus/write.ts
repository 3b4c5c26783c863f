import { StoregateError } from '../../errors.js';
import { encodeWords, toRaw } from './codec.js';
import { type ModbusModel, registerCount } from './model.js';

/** One write on the wire: function 5 (single coil), 6 (single register) or 16 (multiple registers). */
export interface WritePlan {
  fn: 5 | 6 | 16;
  address: number;
  words: number[];
  raw: number;
}

/**
 * An installer's setpoint write → the request to send, or SG_BAD_ARGUMENT: unknown setpoint, not a number,
 * outside the controller's range, or not representable in its register type. Nothing is sent unless this passes.
 */
export function planSetpointWrite(model: ModbusModel, name: string, value: unknown): WritePlan {
  const def = model.setpoints[name];
  if (!def) {
    const known = Object.keys(model.setpoints);
    throw new StoregateError('SG_BAD_ARGUMENT', `model ${model.id} has no setpoint "${name}"`, {
      hint: known.length
        ? `writable setpoints: ${known.join(', ')}`
        : `model ${model.id} has no writable setpoints`,
    });
  }
  const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (typeof numeric !== 'number' || !Number.isFinite(numeric))
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      `setpoint ${name} needs a number, got ${JSON.stringify(value)}`,
    );
  if (numeric < def.min || numeric > def.max)
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      `setpoint ${name} = ${numeric} is outside ${def.min}…${def.max}${def.unit ? ` ${def.unit}` : ''}`,
      {
        hint: `the ${model.vendor} ${model.family} accepts ${def.min}…${def.max}`,
      },
    );
  const raw = toRaw(numeric, def.type, def.scale);
  if (raw === null)
    throw new StoregateError(
      'SG_BAD_ARGUMENT',
      `setpoint ${name} = ${numeric} does not fit a ${def.type} register`,
    );
  if (def.table === 'coil') return { fn: 5, address: def.address, words: [raw ? 1 : 0], raw };
  const words = encodeWords(raw, def.type, def.wordOrder);
  const fn = def.writeFunction ?? (registerCount(def.type) === 1 ? 6 : 16);
  return { fn, address: def.address, words, raw };
}
