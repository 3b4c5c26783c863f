import { z } from 'zod';
import { StoregateError } from './errors.js';

/**
 * The planogram: which SKU sits on which plate (device + channel), its unit weight, tolerance and facing
 * capacity. Wire form is snake_case; both a flat `plates` list and `fixtures → shelves → plates` are accepted.
 */
const deviceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const plateSchema = z
  .strictObject({
    device: deviceId,
    channel: z.number().int().min(0).max(63),
    sku: z.string().min(1).max(64),
    name: z.string().max(120).optional(),
    unit_grams: z.number().positive().max(100_000),
    tolerance_grams: z.number().nonnegative().max(10_000).optional(),
    capacity: z.number().int().min(1).max(10_000),
    low_stock: z.number().int().min(0).optional().describe('Low-stock alert at or below this many units'),
  })
  .refine((p) => p.low_stock === undefined || p.low_stock < p.capacity, {
    message: 'low_stock must be below capacity',
    path: ['low_stock'],
  });

const shelfSchema = z.strictObject({ id: z.string().min(1).max(64), plates: z.array(plateSchema) });
const fixtureSchema = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().max(120).optional(),
  shelves: z.array(shelfSchema),
});

export const planogramSchema = z.strictObject({
  version: z.number().int().optional(),
  fixtures: z.array(fixtureSchema).optional(),
  plates: z.array(plateSchema).optional(),
});

export type PlateInput = z.input<typeof plateSchema>;
export type PlanogramInput = z.input<typeof planogramSchema>;

export interface PlateSpec {
  device: string;
  channel: number;
  sku: string;
  name?: string;
  unitGrams: number;
  toleranceGrams: number;
  capacity: number;
  lowStock: number;
  fixture?: string;
  shelf?: string;
}

export const plateKey = (device: string, channel: number): string => `${device}#${channel}`;

/** Default tolerance: a packaged good varies by about 2% (but never under 2 g: scale resolution). */
export function defaultTolerance(unitGrams: number): number {
  return Math.max(2, Math.round(unitGrams * 0.02 * 10) / 10);
}

function toSpec(p: z.output<typeof plateSchema>, fixture?: string, shelf?: string): PlateSpec {
  return {
    device: p.device,
    channel: p.channel,
    sku: p.sku,
    ...(p.name ? { name: p.name } : {}),
    unitGrams: p.unit_grams,
    toleranceGrams: p.tolerance_grams ?? defaultTolerance(p.unit_grams),
    capacity: p.capacity,
    lowStock: p.low_stock ?? Math.max(1, Math.ceil(p.capacity * 0.25)),
    ...(fixture ? { fixture } : {}),
    ...(shelf ? { shelf } : {}),
  };
}

export function specToWire(p: PlateSpec): PlateInput {
  return {
    device: p.device,
    channel: p.channel,
    sku: p.sku,
    ...(p.name ? { name: p.name } : {}),
    unit_grams: p.unitGrams,
    tolerance_grams: p.toleranceGrams,
    capacity: p.capacity,
    low_stock: p.lowStock,
  };
}

/** Validated, flattened planogram. Throws SG_BAD_ARGUMENT listing every problem with its path. */
export function parsePlanogram(raw: unknown, source = 'planogram'): PlateSpec[] {
  const result = planogramSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new StoregateError('SG_BAD_ARGUMENT', `invalid ${source}:\n${lines.join('\n')}`, {
      hint: 'see docs/shelves.md for the planogram format',
    });
  }
  const plates: PlateSpec[] = [];
  for (const f of result.data.fixtures ?? []) {
    for (const s of f.shelves) for (const p of s.plates) plates.push(toSpec(p, f.id, s.id));
  }
  for (const p of result.data.plates ?? []) plates.push(toSpec(p));
  const seen = new Set<string>();
  for (const p of plates) {
    const key = plateKey(p.device, p.channel);
    if (seen.has(key)) {
      throw new StoregateError('SG_BAD_ARGUMENT', `invalid ${source}: plate ${key} is listed twice`);
    }
    seen.add(key);
  }
  return plates;
}

/**
 * Plates that can share one item (an item straddling two plates): same device with adjacent channels, or
 * consecutive plates of one shelf in the fixture layout.
 */
export function neighbours(plates: readonly PlateSpec[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const link = (a: PlateSpec, b: PlateSpec) => {
    const ka = plateKey(a.device, a.channel);
    const kb = plateKey(b.device, b.channel);
    if (ka === kb) return;
    const list = out.get(ka) ?? [];
    if (!list.includes(kb)) list.push(kb);
    out.set(ka, list);
  };
  for (let i = 0; i < plates.length; i++) {
    for (let j = 0; j < plates.length; j++) {
      const a = plates[i]!;
      const b = plates[j]!;
      const sameDevice = a.device === b.device && Math.abs(a.channel - b.channel) === 1;
      const sameShelf = a.shelf !== undefined && a.shelf === b.shelf && a.fixture === b.fixture;
      if (sameDevice || (sameShelf && Math.abs(i - j) === 1)) link(a, b);
    }
  }
  return out;
}
