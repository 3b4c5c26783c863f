import type { ColdSampleBody, EnergyMeterBody } from '../../../../../shared/src/devices/cold.js';
import { modelPoints } from './catalog.js';
import { decodeWords, planReads, pointWords, type ReadBlock, readPoint } from './codec.js';
import type { ModbusModel } from './model.js';

/** The requests one poll of a model makes (computed once per device). */
export function readPlan(model: ModbusModel): ReadBlock[] {
  return planReads(
    modelPoints(model).map(([, p]) => p),
    model.maxReadLength,
  );
}

/**
 * One poll's answers → the reading body the model defines. A temperature the controller marks as a probe
 * fault (its fault bit or a sentinel raw value) is left out, so no one mistakes it for a temperature.
 */
export function sampleFromRead(
  model: ModbusModel,
  unit: string | undefined,
  blocks: readonly ReadBlock[],
  values: readonly (readonly number[])[],
): ColdSampleBody | EnergyMeterBody {
  const out: Record<string, number | boolean> = {};
  for (const [field, point] of modelPoints(model)) out[field] = readPoint(point, blocks, values);
  if (model.reading === 'energy.meter') {
    const body: EnergyMeterBody = { type: 'energy.meter', kwh: out.kwh as number };
    if (unit !== undefined) body.unit = unit;
    if (out.powerW !== undefined) body.powerW = out.powerW as number;
    return body;
  }
  const body: ColdSampleBody = { type: 'cold.sample' };
  if (unit !== undefined) body.unit = unit;
  const temp = model.fields.tempC;
  if (
    temp &&
    model.probeFaultRaw?.includes(decodeWords(pointWords(temp, blocks, values), temp.type, temp.wordOrder))
  )
    out.probeFault = true;
  for (const key of ['tempC', 'humidityPct'] as const) {
    const v = out[key];
    if (typeof v === 'number' && !(key === 'tempC' && out.probeFault === true))
      body[key] = Math.round(v * 100) / 100;
  }
  for (const key of ['doorOpen', 'defrost', 'compressorOn', 'alarm', 'probeFault'] as const) {
    const v = out[key];
    if (typeof v === 'boolean') body[key] = v;
  }
  return body;
}
