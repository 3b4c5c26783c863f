import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { deviceKinds } from '../../../../shared/src/device-contract.js';
import { StoregateError } from '../../core/errors.js';
import type { NewDevice } from '../../ports/device-registry.js';
import { LOCATION_KEYS, validateNewDevice } from '../../registry/db-device-rows.js';

/**
 * Bulk provisioning file for `storegate device import` and the installer web: one device per row, a header
 * line naming the columns. `id` and `kind` are required; the location columns and `labels`
 * (`key=value;key=value`) are optional. Columns may come in any order; an unknown column is an error.
 *
 *   id,kind,aisle,fixture,labels
 *   shelf-a3,shelf,a,a3,vendor=acme;model=hx711
 */
export const DEVICE_CSV_COLUMNS = ['id', 'kind', ...LOCATION_KEYS, 'labels'] as const;
export const MAX_IMPORT_ROWS = 5000;

const optional = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const labelsCell = optional.transform((s, ctx) => {
  const labels: Record<string, string> = {};
  for (const pair of (s ?? '').split(';').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      ctx.addIssue({ code: 'custom', message: `label ${JSON.stringify(pair)} is not key=value` });
      return z.NEVER;
    }
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
});

export const deviceCsvRow = z.strictObject({
  id: z.string().trim().min(1, 'id is empty'),
  kind: z
    .string()
    .trim()
    .pipe(z.enum(deviceKinds, { error: `kind must be one of ${deviceKinds.join(', ')}` })),
  zone: optional,
  aisle: optional,
  fixture: optional,
  shelf: optional,
  lane: optional,
  door: optional,
  labels: labelsCell,
});

/** A problem with one line of the file (1 = the header). */
export interface CsvLineError {
  line: number;
  message: string;
}

export interface ParsedDeviceCsv {
  devices: { line: number; device: NewDevice }[];
  errors: CsvLineError[];
}

function toDevice(row: z.output<typeof deviceCsvRow>): NewDevice {
  const location: NewDevice['location'] = {};
  for (const key of LOCATION_KEYS) if (row[key] !== undefined) location[key] = row[key];
  return { id: row.id, kind: row.kind, location, labels: row.labels ?? {} };
}

function headerErrors(header: readonly string[]): CsvLineError[] {
  const errors: CsvLineError[] = [];
  const known = DEVICE_CSV_COLUMNS as readonly string[];
  for (const column of header) {
    if (!known.includes(column))
      errors.push({ line: 1, message: `unknown column "${column}" (columns: ${known.join(', ')})` });
  }
  for (const required of ['id', 'kind']) {
    if (!header.includes(required)) errors.push({ line: 1, message: `missing column "${required}"` });
  }
  return errors;
}

/**
 * Parse and validate every row (shape with zod, then the registry's own rules); a duplicate id in the file
 * is an error on its second line. Nothing is registered here. Throws SG_BAD_ARGUMENT only for a file that is
 * not CSV at all (unbalanced quotes…), with the line where parsing stopped.
 */
export function parseDeviceCsv(text: string): ParsedDeviceCsv {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  try {
    records = parse(text, {
      bom: true,
      columns: (h: string[]) => {
        header = h.map((c) => c.trim().toLowerCase());
        return header;
      },
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: false,
    });
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new StoregateError('SG_BAD_ARGUMENT', `line ${line ?? '?'}: ${err.message}`, {
        hint: `a header line (${DEVICE_CSV_COLUMNS.join(',')}) then one device per line`,
      });
    }
    throw err;
  }
  const errors = headerErrors(header);
  if (errors.length > 0) return { devices: [], errors };
  if (records.length > MAX_IMPORT_ROWS) {
    return {
      devices: [],
      errors: [{ line: 1, message: `${records.length} rows; at most ${MAX_IMPORT_ROWS} per file` }],
    };
  }
  const devices: ParsedDeviceCsv['devices'] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const parsed = deviceCsvRow.safeParse(record);
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ');
      errors.push({ line, message });
      continue;
    }
    const device = toDevice(parsed.data);
    try {
      validateNewDevice(device);
    } catch (err) {
      errors.push({ line, message: (err as Error).message });
      continue;
    }
    const first = seen.get(device.id);
    if (first !== undefined) {
      errors.push({ line, message: `device ${device.id} is already on line ${first}` });
      continue;
    }
    seen.set(device.id, line);
    devices.push({ line, device });
  }
  return { devices, errors };
}
