import { readFileSync } from 'node:fs';
import { StoregateError } from '../core/errors.js';
import { type PlateSpec, parsePlanogram } from '../core/planogram.js';

/** A planogram JSON file (flat or fixture layout), validated with the same schema as the API. */
export function loadPlanogramFile(path: string): PlateSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StoregateError('SG_IO', `cannot read planogram ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StoregateError('SG_BAD_ARGUMENT', `planogram ${path} is not JSON: ${(err as Error).message}`);
  }
  return parsePlanogram(raw, `planogram ${path}`);
}
